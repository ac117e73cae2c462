/**
 * Invitation items and the guard that keeps one pending invitation per (partner, customer).
 * Every rule is a condition inside a transaction; failures come back as TransactionRefused.
 */
import { GetCommand, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { addDays, epochSeconds } from '../clock.js';
import { db, tableName } from '../data/client.js';
import { TTL_ATTRIBUTE } from '../data/table.js';
import { decodeCursor, encodeCursor } from '../data/cursor.js';
import {
  domainClaimKey,
  emailMessageKey,
  invitationQuotaKey,
  INVITATION_PK_PREFIX,
  INVITATION_SK,
  invitationKey,
  invitationListingKey,
  partnerInvitationsPartition,
  pendingGuardKey,
  scheduleKey,
} from '../data/keys.js';
import { refusalOf, transactWrite, type TransactItem, type TransactionItem } from '../data/transactions.js';
import { MAX_RESENDS, type BounceType, type EmailDelivery, type EmailStatus, type Invitation } from './model.js';
import { checkNoActiveRelationship, type Page } from '../relationships/repository.js';
import { policyCheck, type PolicyRequest } from '../policy/conditions.js';

/** The rules of the create transaction, each carried by the item whose condition keeps it. */
export type CreateFailure = 'PARTNER_DOMAIN' | 'POLICY' | 'RELATIONSHIP_EXISTS' | 'INVITATION_PENDING' | 'DUPLICATE_ID' | 'QUOTA';

/** What the customer's policy judges in a new invitation: its admin approves, for its partner, its roles and duration. */
export const policyRequestOf = (invitation: Invitation): PolicyRequest => ({
  partnerId: invitation.partnerId,
  approver: invitation.adminEmail,
  roles: invitation.roles,
  durationDays: invitation.durationDays,
});

/**
 * Writes a new invitation in one transaction whose conditions carry every rule: no domain (or
 * parent domain) of the customer is a partner's, the customer's policy allows it, the pair has no
 * active relationship, and no other invitation of the pair is still pending. Returns which rule
 * failed, if one did (with the stored policy when the policy refused it).
 */
export async function insertInvitation(
  invitation: Invitation,
  domainsToCheck: readonly string[],
  at: string,
  audit: TransactItem,
  quota: { window: number; limit: number; ttl: number },
): Promise<{ failed?: CreateFailure; pendingInvitationId?: string; policy?: Record<string, unknown> }> {
  const items: TransactionItem<CreateFailure>[] = [
    ...domainsToCheck.map(
      (domain): TransactionItem<CreateFailure> => ({
        item: { ConditionCheck: { TableName: tableName(), Key: domainClaimKey(domain), ConditionExpression: 'attribute_not_exists(PK)' } },
        refusal: 'PARTNER_DOMAIN',
      }),
    ),
    policyCheck(invitation.customerDomain, policyRequestOf(invitation)),
    checkNoActiveRelationship(invitation.partnerId, invitation.customerDomain, at),
    {
      refusal: 'INVITATION_PENDING',
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...pendingGuardKey(invitation.partnerId, invitation.customerDomain),
            type: 'PENDING_GUARD',
            invitationId: invitation.id,
            expiresAt: invitation.expiresAt,
            // Inert after expiresAt by the condition below; TTL only tidies up.
            [TTL_ATTRIBUTE]: epochSeconds(new Date(invitation.expiresAt)),
          },
          // An overdue invitation no longer blocks the pair, whether or not cleanup has run.
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': at },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
    {
      refusal: 'DUPLICATE_ID',
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...invitationKey(invitation.id),
            ...invitationListingKey(invitation.partnerId, invitation.createdAt, invitation.id),
            // Its first reminder still to come, or its expiry (a short-lived invitation skips reminders already past).
            ...scheduleKey({ kind: 'INVITATION', end: invitation.expiresAt }, invitation.id, new Date(invitation.createdAt)),
            type: 'INVITATION',
            ...invitation,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    { item: audit },
    {
      // The partner's daily quota, counted atomically with the invitation it allows.
      refusal: 'QUOTA',
      item: {
        Update: {
          TableName: tableName(),
          Key: invitationQuotaKey(invitation.partnerId, quota.window),
          UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':limit': quota.limit, ':ttl': quota.ttl },
        },
      },
    },
  ];
  try {
    await transactWrite(items);
    return {};
  } catch (error) {
    const { refusal, item } = refusalOf(error, items);
    if (refusal === 'INVITATION_PENDING') return { failed: refusal, pendingInvitationId: item?.invitationId as string | undefined };
    if (refusal === 'POLICY') return { failed: refusal, policy: item };
    return { failed: refusal };
  }
}

/**
 * Records what became of the invitation email; a small write that never touches the rules. Only
 * while the invitation still carries the secret that email sent, so a late answer about an older
 * email never overwrites a newer one. A sent email also gets its lookup item (SES's message id →
 * this invitation and token hash) in the same transaction, so SES's later events find it.
 */
export async function recordEmailDelivery(invitation: EmailOwner, tokenHash: string, email: EmailDelivery): Promise<void> {
  const update: TransactItem = {
    Update: {
      TableName: tableName(),
      Key: invitationKey(invitation.id),
      UpdateExpression: 'SET email = :email',
      ConditionExpression: 'tokenHash = :hash',
      ExpressionAttributeValues: { ':email': email, ':hash': tokenHash },
    },
  };
  if (email.messageId === undefined || email.messageId === '') {
    await db().send(new UpdateCommand(update.Update as UpdateCommandInput));
    return;
  }
  const lookup: EmailMessage = {
    messageId: email.messageId,
    invitationId: invitation.id,
    tokenHash,
    partnerId: invitation.partnerId,
    customerDomain: invitation.customerDomain,
    adminEmail: invitation.adminEmail,
  };
  const items: TransactionItem<'REPLACED'>[] = [
    { item: update, refusal: 'REPLACED' },
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...emailMessageKey(email.messageId),
            type: 'EMAIL_MESSAGE',
            ...lookup,
            [TTL_ATTRIBUTE]: epochSeconds(addDays(new Date(email.at), EMAIL_EVENT_WINDOW_DAYS)),
          },
        },
      },
    },
  ];
  try {
    await transactWrite(items);
  } catch (error) {
    // A resend replaced the link meanwhile: its own email is the one to follow.
    refusalOf(error, items);
  }
}

/** What an email's lookup item needs of its invitation. */
export type EmailOwner = Pick<Invitation, 'id' | 'partnerId' | 'customerDomain' | 'adminEmail'>;

/** The lookup item of one sent invitation email: whose it was and which link it carried. */
export interface EmailMessage {
  readonly messageId: string;
  readonly invitationId: string;
  readonly tokenHash: string;
  readonly partnerId: string;
  readonly customerDomain: string;
  readonly adminEmail: string;
}

/** SES reports an email's fate within days; the lookup item is kept this long after the send. */
export const EMAIL_EVENT_WINDOW_DAYS = 30;

/** The invitation email SES names by `messageId`, or undefined (another kind of email, or too old). */
export async function findEmailMessage(messageId: string): Promise<EmailMessage | undefined> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: emailMessageKey(messageId) }));
  return Item as EmailMessage | undefined;
}

/**
 * The states an email may move to each later state from: SENT is followed by DELIVERED, a bounce,
 * a complaint or a reject; a delivered email may still bounce or draw a complaint; BOUNCED,
 * COMPLAINED and FAILED are final. A state never follows itself, so a redelivered event changes nothing.
 */
export const EMAIL_STATUS_FROM: Readonly<Record<'DELIVERED' | 'BOUNCED' | 'COMPLAINED' | 'FAILED', readonly EmailStatus[]>> = {
  DELIVERED: ['SENT'],
  BOUNCED: ['SENT', 'DELIVERED'],
  COMPLAINED: ['SENT', 'DELIVERED'],
  FAILED: ['SENT'],
};

/**
 * Moves the email of `message` to `outcome`, in one transaction with `audit` when given; only
 * while the invitation still carries that email (same token hash and message id) and its status
 * may move there. Answers false when it may not (a late, repeated or superseded event).
 */
export async function recordEmailOutcome(
  message: EmailMessage,
  outcome: { status: keyof typeof EMAIL_STATUS_FROM; at: string; bounceType?: BounceType },
  audit?: TransactItem,
): Promise<boolean> {
  const from = EMAIL_STATUS_FROM[outcome.status];
  const update: TransactItem = {
    Update: {
      TableName: tableName(),
      Key: invitationKey(message.invitationId),
      UpdateExpression: `SET email.#status = :status, email.#at = :at${outcome.bounceType === undefined ? '' : ', email.bounceType = :bounceType'}`,
      ConditionExpression: `tokenHash = :hash AND email.messageId = :messageId AND email.#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', '#at': 'at' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':at': outcome.at,
        ':hash': message.tokenHash,
        ':messageId': message.messageId,
        ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
        ...(outcome.bounceType === undefined ? {} : { ':bounceType': outcome.bounceType }),
      },
    },
  };
  const items: TransactionItem<'MOVED'>[] = [{ item: update, refusal: 'MOVED' }, ...(audit === undefined ? [] : [{ item: audit }])];
  try {
    await transactWrite(items);
    return true;
  } catch (error) {
    if (refusalOf(error, items).refusal === 'MOVED') return false;
    throw error;
  }
}

/** One invitation by id, or undefined. */
export async function findInvitation(invitationId: string, consistent = false): Promise<Invitation | undefined> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: invitationKey(invitationId), ConsistentRead: consistent }));
  return Item as Invitation | undefined;
}

/** One page of a partner's invitations, newest first: one query on GSI1. */
export async function queryPartnerInvitations(
  partnerId: string,
  options: { limit: number; cursor?: string; status?: string; at: string },
): Promise<Page<Invitation>> {
  const partition = partnerInvitationsPartition(partnerId);
  const startKey = decodeCursor(options.cursor, { GSI1PK: partition, GSI1SK: { prefix: '' }, PK: { prefix: INVITATION_PK_PREFIX }, SK: INVITATION_SK });
  const filter = statusFilter(options.status, options.at);
  // Closed invitations past their retention are gone for the reader, whether or not TTL has run.
  const retained = '(attribute_not_exists(#ttl) OR #ttl > :epoch)';
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      FilterExpression: filter === undefined ? retained : `${retained} AND (${filter.expression})`,
      ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, ...(filter === undefined ? {} : { '#status': 'status' }) },
      ExpressionAttributeValues: { ':pk': partition, ':epoch': Math.floor(Date.parse(options.at) / 1000), ...filter?.values },
      ScanIndexForward: false,
      ExclusiveStartKey: startKey,
      Limit: options.limit,
    }),
  );
  return { items: (result.Items ?? []) as Invitation[], nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** Filters by the status as of `at`: overdue pending invitations count as expired. */
function statusFilter(status: string | undefined, at: string) {
  switch (status) {
    case undefined:
      return undefined;
    case 'PENDING':
      return { expression: '#status = :pending AND expiresAt > :now', values: { ':pending': 'PENDING', ':now': at } };
    case 'EXPIRED':
      return {
        expression: '#status = :expired OR (#status = :pending AND expiresAt <= :now)',
        values: { ':expired': 'EXPIRED', ':pending': 'PENDING', ':now': at },
      };
    default:
      return { expression: '#status = :status', values: { ':status': status } };
  }
}

/** What a refused partner action found: nothing of the caller's, or the invitation as it is now. */
export type ActionRefusal = { reason: 'NOT_FOUND' } | { reason: 'STATE'; current: Invitation };

/** The refusals of a partner action's items: the invitation is not the caller's pending one, or the pair's guard is another invitation's. */
type ActionItemRefusal = 'NOT_OWN_PENDING' | 'GUARD_TAKEN';

function actionRefusal(error: unknown, items: readonly TransactionItem<ActionItemRefusal>[], partnerId: string): ActionRefusal {
  const { refusal, item } = refusalOf(error, items);
  const current = item as Invitation | undefined;
  if (refusal !== 'NOT_OWN_PENDING' || current === undefined || current.partnerId !== partnerId) return { reason: 'NOT_FOUND' };
  return { reason: 'STATE', current };
}

/** The condition every partner action on an invitation needs: it is the caller's, pending and unexpired. */
const OWN_AND_PENDING = 'partnerId = :partnerId AND #status = :pending AND expiresAt > :now';

/**
 * Cancels a pending invitation of the partner: the invitation, its pending guard and the audit
 * record in one transaction.
 */
export async function cancelPendingInvitation(
  invitation: Invitation,
  partnerId: string,
  at: string,
  closedTtl: number,
  audit: TransactItem,
): Promise<ActionRefusal | undefined> {
  const items: TransactionItem<ActionItemRefusal>[] = [
    {
      refusal: 'NOT_OWN_PENDING',
      item: {
        Update: {
          TableName: tableName(),
          Key: invitationKey(invitation.id),
          UpdateExpression: 'SET #status = :canceled, closedAt = :now, #ttl = :ttl REMOVE GSI2PK, GSI2SK',
          ConditionExpression: OWN_AND_PENDING,
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':canceled': 'CANCELED', ':pending': 'PENDING', ':partnerId': partnerId, ':now': at, ':ttl': closedTtl },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
    deleteGuard(partnerId, invitation.customerDomain, invitation.id),
    { item: audit },
  ];
  try {
    await transactWrite(items);
    return undefined;
  } catch (error) {
    return actionRefusal(error, items, partnerId);
  }
}

/**
 * Queues a resend's email on a pending invitation (the sender then mints its link, and the old
 * link answers LINK_REPLACED). Conditioned on the email job it replaces, so two resends cannot both win.
 */
export async function queueResend(
  invitation: Invitation,
  partnerId: string,
  email: EmailDelivery,
  at: string,
  audit: TransactItem,
): Promise<ActionRefusal | 'LIMIT' | undefined> {
  const items: TransactionItem<ActionItemRefusal>[] = [
    {
      refusal: 'NOT_OWN_PENDING',
      item: {
        Update: {
          TableName: tableName(),
          Key: invitationKey(invitation.id),
          UpdateExpression: 'SET resendCount = if_not_exists(resendCount, :zero) + :one, lastResentAt = :now, email = :queued',
          ConditionExpression: `${OWN_AND_PENDING} AND ${invitation.email.job === undefined ? 'attribute_not_exists(email.job)' : 'email.job = :current'} AND (attribute_not_exists(resendCount) OR resendCount < :max)`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...(invitation.email.job === undefined ? {} : { ':current': invitation.email.job }),
            ':zero': 0,
            ':one': 1,
            ':max': MAX_RESENDS,
            ':now': at,
            ':pending': 'PENDING',
            ':partnerId': partnerId,
            ':queued': email,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
    { item: audit },
  ];
  try {
    await transactWrite(items);
    return undefined;
  } catch (error) {
    const refusal = actionRefusal(error, items, partnerId);
    // Only a request that could still be answered is at its limit; an overdue one is simply not pending.
    const open = refusal.reason === 'STATE' && refusal.current.status === 'PENDING' && refusal.current.expiresAt > at;
    if (open && (refusal.current.resendCount ?? 0) >= MAX_RESENDS) return 'LIMIT';
    return refusal;
  }
}

/** Removes the pair's pending guard, but only while it still belongs to this invitation (refused as GUARD_TAKEN otherwise). */
export function deleteGuard(partnerId: string, customerDomain: string, invitationId: string): TransactionItem<'GUARD_TAKEN'> {
  return {
    refusal: 'GUARD_TAKEN',
    item: {
      Delete: {
        TableName: tableName(),
        Key: pendingGuardKey(partnerId, customerDomain),
        ConditionExpression: 'attribute_not_exists(PK) OR invitationId = :id',
        ExpressionAttributeValues: { ':id': invitationId },
      },
    },
  };
}
