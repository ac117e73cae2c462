/**
 * Tells the customer: each grant, end and expiry is emailed to the `notify` addresses of the
 * customer's policy, after the change committed; a grant that leaves two or more partners
 * holding the same power role also writes a `RelationshipOverlapDetected` audit record (published
 * as the event `Relationship Overlap Detected`). Tells the partner, at its profile's
 * `contactEmail`: its request accepted, declined or expired unanswered, its email to the customer's admin bounced
 * (or drew a complaint), and its access ended by the customer. Both are told, 30, 7 and 1 days
 * ahead (the schedule), that a relationship without auto-extend ends. One `notify…` function per kind of notice; none of them ever throws: a failure is
 * logged with ids only and counted (`CustomerNoticesFailed`, `PartnerNoticesFailed`), and the
 * change it tells of stands.
 */
import { PutCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { now } from '../clock.js';
import { db } from '../data/client.js';
import { putAudit } from '../audit/repository.js';
import { isPowerRole } from '../domain/roles.js';
import type { Caller } from '../identity/caller.js';
import { logger } from '../log.js';
import type { EmailContent } from '../mail/invitation-email.js';
import { sendEmail } from '../mail/mailer.js';
import { countMetric } from '../metrics.js';
import type { BounceType, Invitation } from '../invitations/model.js';
import { getPartner } from '../partners/repository.js';
import type { CustomerPolicy } from '../policy/model.js';
import { findPolicy } from '../policy/repository.js';
import { overlapsOf, powerRoleOverlaps, type Overlap, type Relationship } from '../relationships/model.js';
import { closesOverdue, findRelationship, queryActiveCustomerRelationships } from '../relationships/repository.js';
import {
  endedNotice,
  endingNotice,
  expiredNotice,
  grantedNotice,
  partnerAcceptedNotice,
  partnerDeclinedNotice,
  partnerEmailBouncedNotice,
  partnerEndedNotice,
  partnerEndingNotice,
  partnerExpiredNotice,
  type BouncedEmail,
  type NoticeSubject,
  type PartnerRequest,
} from './emails.js';

/** What went wrong after a change committed, as the log and the metric name it. */
type NoticeStep = 'grant' | 'end' | 'expiry' | 'ending' | 'overlap';

/** The partner's notices, as the log names them. */
type PartnerNoticeStep = 'accepted' | 'declined' | 'expired' | 'ended' | 'ending' | 'bounced';

/**
 * After an accept committed: the expiry notice of the overdue relationship it closed (`previous`,
 * when it did), then the grant notice, with any power role the new relationship now shares; then
 * the partner hears what it was granted. An accept that already read the customer's policy
 * passes it, saving the read.
 */
export async function notifyAccepted(relationship: Relationship, previous: Relationship | undefined, at: Date, known?: CustomerPolicy): Promise<void> {
  const policy = known ?? (await policyOf(relationship.customerDomain, relationship.id, 'grant'));
  if (closesOverdue(previous, at.toISOString())) await notifyExpired(previous, policy);
  await notifyGranted(relationship, at, policy);
  await tellPartner('accepted', relationship.partnerId, { relationshipId: relationship.id }, (name) => partnerAcceptedNotice(relationship, name));
}

/** After a decline committed: the partner hears it, with the admin's reason when one was given. */
export async function notifyDeclined(request: PartnerRequest & Pick<Invitation, 'roles'>, reason: string | undefined): Promise<void> {
  await tellPartner('declined', request.partnerId, { invitationId: request.id }, (name) => partnerDeclinedNotice(request, reason, name));
}

/** After the schedule expired a request nobody answered: the partner hears it. */
export async function notifyRequestExpired(request: PartnerRequest & Pick<Invitation, 'expiresAt'>): Promise<void> {
  await tellPartner('expired', request.partnerId, { invitationId: request.id }, (name) => partnerExpiredNotice(request, name));
}

/** After SES reported that the invitation email bounced or drew a complaint (and the audit record committed): the partner hears it. */
export async function notifyEmailBounced(email: BouncedEmail, status: 'BOUNCED' | 'COMPLAINED', bounceType: BounceType | undefined): Promise<void> {
  await tellPartner('bounced', email.partnerId, { invitationId: email.invitationId }, (name) => partnerEmailBouncedNotice(email, status, bounceType, name));
}

/**
 * The grant notice, and the overlap record: the customer's active relationships are read (GSI1,
 * a page per 100 partners) and the new one taken as written (the index may not show it yet).
 * A grant of read-only roles alone can share no power role, so it reads nothing more.
 */
export async function notifyGranted(relationship: Relationship, at: Date, policy?: CustomerPolicy | undefined): Promise<void> {
  const partnerNames = new Map([[relationship.partnerId, relationship.partnerName]]);
  let overlaps: Overlap[] = [];
  if (relationship.roles.some(isPowerRole)) {
    try {
      const others = (await queryActiveCustomerRelationships(relationship.customerDomain, at)).filter((r) => r.partnerId !== relationship.partnerId);
      for (const other of others) partnerNames.set(other.partnerId, other.partnerName);
      overlaps = overlapsOf(relationship, powerRoleOverlaps([...others, relationship], at));
      if (overlaps.length > 0) await db().send(new PutCommand(overlapRecord(relationship, overlaps)));
    } catch (error) {
      failed('overlap', relationship.id, error);
    }
  }
  await send('grant', relationship, policy, () => grantedNotice(relationship, overlaps, partnerNames));
}

/**
 * The end notice, after a partner or a customer admin (`by`) ended the relationship; when the
 * customer ended it, the partner hears it too (a partner that ended it itself is not told).
 */
export async function notifyEnded(relationship: Relationship, by: Caller): Promise<void> {
  await send('end', relationship, undefined, () => endedNotice(relationship, by));
  if (by.kind === 'customer') {
    await tellPartner('ended', relationship.partnerId, { relationshipId: relationship.id }, (name) => partnerEndedNotice(relationship, name));
  }
}

/**
 * The expiry notice, after the schedule or an accept closed an overdue relationship. What the
 * expiry index does not carry (the partner's name, the roles) is read from the item only when
 * someone is to be told, and only while it is still that relationship.
 */
export async function notifyExpired(relationship: NoticeSubject & Pick<Relationship, 'id'>, policy?: CustomerPolicy | undefined): Promise<void> {
  await send('expiry', relationship, policy, async () => expiredNotice(await withStoredDetails(relationship)));
}

/**
 * After the schedule claimed a relationship's end notice (`daysBefore` its end): the customer's
 * notify addresses and the partner are told it ends then and will not extend itself. The
 * partner's name and the roles are read from the item, only while it is still that relationship.
 */
export async function notifyEnding(relationship: NoticeSubject & Pick<Relationship, 'id'>, daysBefore: number): Promise<void> {
  let subject: NoticeSubject = relationship;
  try {
    subject = await withStoredDetails(relationship);
  } catch (error) {
    failed('ending', relationship.id, error);
  }
  await send('ending', relationship, undefined, () => endingNotice(subject, daysBefore));
  await tellPartner('ending', relationship.partnerId, { relationshipId: relationship.id }, (name) => partnerEndingNotice(subject, daysBefore, name));
}

/**
 * What a notice says of a relationship the schedule knows only by its index entry: the partner's
 * name and the roles, read from the item when the entry lacks them, and only while it is still
 * that relationship (a newer one of the same pair is another relationship).
 */
async function withStoredDetails(relationship: NoticeSubject & Pick<Relationship, 'id'>): Promise<NoticeSubject> {
  if (relationship.partnerName !== undefined && relationship.roles !== undefined) return relationship;
  const stored = await findRelationship(relationship.partnerId, relationship.customerDomain);
  return stored?.id === relationship.id ? { ...relationship, ...(stored as Partial<Relationship>) } : relationship;
}

/** The audit record (and, through the stream, the event) of a grant that left a power role shared. */
function overlapRecord(relationship: Relationship, overlaps: readonly Overlap[]): PutCommandInput {
  const put = putAudit({
    type: 'RelationshipOverlapDetected',
    at: now().toISOString(),
    actor: { kind: 'system' },
    partnerId: relationship.partnerId,
    customerDomain: relationship.customerDomain,
    invitationId: relationship.invitationId,
    relationshipId: relationship.id,
    details: {
      roles: overlaps.map((o) => o.role),
      partnerIds: [...new Set(overlaps.flatMap((o) => o.partnerIds))].sort(),
      overlaps,
      relationshipId: relationship.id,
    },
  }).Put;
  if (put === undefined) throw new Error('An audit record is a Put');
  return put as PutCommandInput;
}

/** The customer's policy, or undefined (and counted) when it cannot be read. */
async function policyOf(customerDomain: string, relationshipId: string, step: NoticeStep): Promise<CustomerPolicy | undefined> {
  try {
    return await findPolicy(customerDomain);
  } catch (error) {
    failed(step, relationshipId, error);
    return undefined;
  }
}

/**
 * Emails each of the policy's notify addresses (read when not given) on its own, so no recipient
 * sees the others and one refused address does not stop the rest; nobody to tell, no email. Never throws.
 */
async function send(
  step: NoticeStep,
  relationship: Pick<Relationship, 'id' | 'customerDomain'>,
  known: CustomerPolicy | undefined,
  content: () => EmailContent | Promise<EmailContent>,
): Promise<void> {
  let email: EmailContent;
  let recipients: readonly string[];
  try {
    recipients = (known ?? (await findPolicy(relationship.customerDomain))).notify;
    if (recipients.length === 0) return;
    email = await content();
  } catch (error) {
    failed(step, relationship.id, error);
    return;
  }
  for (const to of recipients) {
    try {
      await sendEmail(to, email);
    } catch (error) {
      failed(step, relationship.id, error);
    }
  }
}

/**
 * Emails the partner's contact address (from its cached profile: no read while the cache holds
 * it); a profile without one gets nothing. Every partner notice goes through here, so a later one
 * (a bounce of the customer's email, fed back by SES events) is one more caller. English: a
 * profile has no language yet. Never throws.
 */
async function tellPartner(
  step: PartnerNoticeStep,
  partnerId: string,
  ids: { readonly invitationId: string } | { readonly relationshipId: string },
  content: (partnerName: string) => EmailContent,
): Promise<void> {
  try {
    const partner = await getPartner(partnerId);
    if (partner?.contactEmail === undefined) return;
    await sendEmail(partner.contactEmail, content(partner.name));
  } catch (error) {
    countMetric('PartnerNoticesFailed');
    logger.warn('Partner notice failed', { notice: step, partnerId, ...ids, error: error instanceof Error ? error.name : 'unknown' });
  }
}

function failed(step: NoticeStep, relationshipId: string, error: unknown): void {
  countMetric('CustomerNoticesFailed');
  logger.warn('Customer notice failed', { notice: step, relationshipId, error: error instanceof Error ? error.name : 'unknown' });
}
