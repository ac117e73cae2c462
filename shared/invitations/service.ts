/** The partner's side of an invitation: create it (queueing the admin's email), read, list, cancel and resend it. */
import { addDays, DAY_MS, newId, now } from '../clock.js';
import { config } from '../config.js';
import { domainAndParents } from '../domain/domains.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../errors.js';
import { logger } from '../log.js';
import { INVITATION_NOT_FOUND } from './schema.js';
import { getPartner } from '../partners/repository.js';
import { putAudit } from '../audit/repository.js';
import type { AuditEventType } from '../audit/model.js';
import { countMetric } from '../metrics.js';
import type { Page } from '../relationships/repository.js';
import { closedTtl, isRetained, MAX_RESENDS, queuedEmail, toView, type Invitation, type InvitationView } from './model.js';
import {
  cancelPendingInvitation,
  findInvitation,
  insertInvitation,
  policyRequestOf,
  queryPartnerInvitations,
  queueResend,
  type ActionRefusal,
} from './repository.js';
import type { CreateInvitationInput, ListInvitationsQuery } from './schema.js';
import { policyRefusalError } from '../policy/conditions.js';

/**
 * Creates an invitation and queues the email of its acceptance link to the customer's admin. The
 * rules are conditions of one transaction (with the audit record and the queued email); the sender
 * (./delivery.ts) takes the email from the table's stream, so SES being slow, throttling or down
 * never fails or delays the request, and nothing is lost.
 */
export async function createInvitation(partnerId: string, input: CreateInvitationInput): Promise<InvitationView> {
  const partner = await getPartner(partnerId);
  if (partner === undefined) {
    throw new ForbiddenError('PARTNER_NOT_REGISTERED', 'The partner in this token is not registered.');
  }
  const at = now();
  const invitation: Invitation = {
    id: newId(),
    partnerId,
    partnerName: partner.name,
    customerDomain: input.customerDomain,
    customerName: input.customerName,
    adminEmail: input.adminEmail,
    roles: input.roles,
    durationDays: input.durationDays,
    autoExtend: input.autoExtend,
    locale: input.locale,
    message: input.message,
    status: 'PENDING',
    createdAt: at.toISOString(),
    expiresAt: addDays(at, config().invitationTtlDays).toISOString(),
    resendCount: 0,
    email: queuedEmail('INVITATION', newId(), at.toISOString()),
  };
  const audit = partnerAudit('InvitationCreated', invitation, at, {
    roles: invitation.roles,
    durationDays: invitation.durationDays,
    autoExtend: invitation.autoExtend,
    expiresAt: invitation.expiresAt,
  });

  const window = Math.floor(at.getTime() / DAY_MS);
  const windowEnd = (window + 1) * DAY_MS;
  const quota = { window, limit: config().invitationQuotaPerDay, ttl: Math.ceil(windowEnd / 1000) + 24 * 60 * 60 };
  const { failed, pendingInvitationId, policy } = await insertInvitation(invitation, domainAndParents(invitation.customerDomain), invitation.createdAt, audit, quota);
  switch (failed) {
    case undefined:
      break;
    case 'QUOTA':
      throw new QuotaExceededError(quota.limit, Math.ceil((windowEnd - at.getTime()) / 1000));
    case 'PARTNER_DOMAIN':
      throw new UnprocessableError(
        'PARTNER_CANNOT_BE_CUSTOMER',
        `${invitation.customerDomain} belongs to a registered partner; a partner cannot be another partner's customer.`,
      );
    case 'POLICY':
      // DynamoDB decided against the policy as stored at that moment; that item names the rule.
      throw (
        policyRefusalError(policy, policyRequestOf(invitation)) ??
        new ConflictError('CONFLICT', `${invitation.customerDomain} changed its policy at the same moment; send the request again.`)
      );
    case 'RELATIONSHIP_EXISTS':
      throw new ConflictError('RELATIONSHIP_EXISTS', `You already have an active relationship with ${invitation.customerDomain}.`);
    case 'INVITATION_PENDING':
      throw new ConflictError(
        'INVITATION_PENDING',
        `You already have a pending invitation to ${invitation.customerDomain}${pendingInvitationId === undefined ? '' : ` (${pendingInvitationId})`}.`,
      );
    case 'DUPLICATE_ID':
      throw new Error('Invitation id collision');
  }

  countMetric('InvitationsCreated');
  logger.info('Invitation created', { invitationId: invitation.id, partnerId });
  return toView(invitation, at);
}

/** The audit record of a transition the inviting partner made. */
function partnerAudit(type: AuditEventType, invitation: Invitation, at: Date, details?: Record<string, unknown>) {
  return putAudit({
    type,
    at: at.toISOString(),
    actor: { kind: 'partner', partnerId: invitation.partnerId },
    partnerId: invitation.partnerId,
    customerDomain: invitation.customerDomain,
    invitationId: invitation.id,
    ...(details === undefined ? {} : { details }),
  });
}

/** The partner's own invitation as stored, or 404: another partner's is answered exactly like a missing one. */
async function ownInvitation(partnerId: string, invitationId: string, at: Date, consistent = false): Promise<Invitation> {
  const invitation = await findInvitation(invitationId, consistent);
  if (invitation === undefined || invitation.partnerId !== partnerId || !isRetained(invitation, at)) {
    throw new NotFoundError(INVITATION_NOT_FOUND);
  }
  return invitation;
}

/** One of the partner's invitations. */
export async function getInvitation(partnerId: string, invitationId: string): Promise<InvitationView> {
  const at = now();
  return toView(await ownInvitation(partnerId, invitationId, at), at);
}

/** A page of the partner's invitations, newest first. */
export async function listInvitations(partnerId: string, query: ListInvitationsQuery): Promise<Page<InvitationView>> {
  const at = now();
  const page = await queryPartnerInvitations(partnerId, { ...query, at: at.toISOString() });
  return { items: page.items.map((item) => toView(item, at)), nextCursor: page.nextCursor };
}

/** Withdraws a pending invitation; its link then answers 409 CANCELED and the pair is free again. */
export async function cancelInvitation(partnerId: string, invitationId: string): Promise<InvitationView> {
  const at = now();
  const invitation = await ownInvitation(partnerId, invitationId, at, true);
  const audit = partnerAudit('InvitationCanceled', invitation, at);
  const refused = await cancelPendingInvitation(invitation, partnerId, at.toISOString(), closedTtl(at), audit);
  if (refused !== undefined) throw notPending(refused, at);
  logger.info('Invitation canceled', { invitationId, partnerId });
  return toView({ ...invitation, status: 'CANCELED', closedAt: at.toISOString() }, at);
}

/**
 * Queues a new email, with a new link, for a pending invitation. Once the sender mints that link,
 * the previous one answers 410 LINK_REPLACED; at most MAX_RESENDS resends (429 after that).
 */
export async function resendInvitation(partnerId: string, invitationId: string): Promise<InvitationView> {
  const at = now();
  const invitation = await ownInvitation(partnerId, invitationId, at, true);
  const audit = partnerAudit('InvitationResent', invitation, at, { resendCount: (invitation.resendCount ?? 0) + 1 });
  const email = queuedEmail('RESEND', newId(), at.toISOString());
  const refused = await queueResend(invitation, partnerId, email, at.toISOString(), audit);
  if (refused === 'LIMIT') throw new ResendLimitError();
  if (refused !== undefined) throw notPending(refused, at);
  logger.info('Invitation resent', { invitationId, partnerId });
  return toView({ ...invitation, email, resendCount: (invitation.resendCount ?? 0) + 1, lastResentAt: at.toISOString() }, at);
}

/** 429: the partner has sent as many invitations today as it may; `Retry-After` says when the day turns (UTC). */
export class QuotaExceededError extends AppError {
  readonly status = 429;
  readonly title = 'Invitation quota reached';
  constructor(limit: number, retryAfterSeconds: number) {
    super('INVITATION_QUOTA_EXCEEDED', `A partner can send at most ${limit} invitations per day (UTC).`);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** 429: the invitation has been resent as often as it may be. */
export class ResendLimitError extends AppError {
  readonly status = 429;
  readonly title = 'Too many resends';
  constructor() {
    super('RESEND_LIMIT_REACHED', `An invitation can be resent at most ${MAX_RESENDS} times; cancel it and invite again.`);
  }
}

function notPending(refusal: ActionRefusal, at: Date): AppError {
  if (refusal.reason === 'NOT_FOUND') return new NotFoundError(INVITATION_NOT_FOUND);
  const status = toView(refusal.current, at).status;
  // Still pending: another change (a simultaneous resend) replaced what this one was based on.
  if (status === 'PENDING') return new ConflictError('CONFLICT', 'This invitation changed at the same moment (another resend?); read it again and retry.');
  return new ConflictError('NOT_PENDING', `This invitation is ${status.toLowerCase()}, not pending.`);
}
