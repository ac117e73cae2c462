/** The partner's side of an invitation: create it (and email the admin), read it, list them. */
import { addDays, hashSecret, newId, newSecret, now } from '../clock.js';
import { config } from '../config.js';
import { domainAndParents } from '../domain/domains.js';
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../errors.js';
import { logger } from '../log.js';
import { acceptanceLink, invitationEmail } from '../mail/invitation-email.js';
import { sendEmail } from '../mail/mailer.js';
import { getPartner } from '../partners/repository.js';
import type { Page } from '../relationships/repository.js';
import type { EmailDelivery, Invitation, InvitationView } from './model.js';
import { toView } from './model.js';
import { findInvitation, insertInvitation, queryPartnerInvitations, recordEmailDelivery } from './repository.js';
import type { CreateInvitationInput, ListInvitationsQuery } from './schema.js';

/**
 * Creates an invitation and emails the acceptance link to the customer's admin. The rules are
 * conditions of one transaction; the email goes out after it commits, and its outcome is
 * recorded on the invitation, so a failed send never loses the invitation.
 */
export async function createInvitation(partnerId: string, input: CreateInvitationInput): Promise<InvitationView> {
  const partner = await getPartner(partnerId);
  if (partner === undefined) {
    throw new ForbiddenError('PARTNER_NOT_REGISTERED', 'The partner in this token is not registered.');
  }
  const at = now();
  const secret = newSecret();
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
    tokenHash: hashSecret(secret),
    email: { status: 'QUEUED', at: at.toISOString() },
  };

  const { failed, pendingInvitationId } = await insertInvitation(invitation, domainAndParents(invitation.customerDomain), at.toISOString());
  switch (failed) {
    case undefined:
      break;
    case 'PARTNER_DOMAIN':
      throw new UnprocessableError(
        'PARTNER_CANNOT_BE_CUSTOMER',
        `${invitation.customerDomain} belongs to a registered partner; a partner cannot be another partner's customer.`,
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

  const email = await deliver(invitation, secret);
  return toView({ ...invitation, email }, at);
}

/** Sends the email and records the outcome; never throws, so the created invitation is always answered. */
async function deliver(invitation: Invitation, secret: string): Promise<EmailDelivery> {
  const link = acceptanceLink(config().publicBaseUrl, invitation.id, secret);
  let email: EmailDelivery;
  try {
    const messageId = await sendEmail(invitation.adminEmail, invitationEmail(invitation, link));
    email = { status: 'SENT', messageId, at: now().toISOString() };
  } catch (error) {
    logger.warn('Invitation email failed', { invitationId: invitation.id, error: error instanceof Error ? error.name : 'unknown' });
    email = { status: 'FAILED', at: now().toISOString() };
  }
  try {
    await recordEmailDelivery(invitation.id, email);
  } catch (error) {
    logger.error('Could not record the email status', { invitationId: invitation.id, error: error instanceof Error ? error.name : 'unknown' });
  }
  return email;
}

/** One of the partner's invitations; another partner's is answered exactly like a missing one. */
export async function getInvitation(partnerId: string, invitationId: string): Promise<InvitationView> {
  const invitation = await findInvitation(invitationId);
  if (invitation === undefined || invitation.partnerId !== partnerId) {
    throw new NotFoundError('No invitation of yours has this id.');
  }
  return toView(invitation, now());
}

/** A page of the partner's invitations, newest first. */
export async function listInvitations(partnerId: string, query: ListInvitationsQuery): Promise<Page<InvitationView>> {
  const at = now();
  const page = await queryPartnerInvitations(partnerId, { ...query, at: at.toISOString() });
  return { items: page.items.map((item) => toView(item, at)), nextCursor: page.nextCursor };
}
