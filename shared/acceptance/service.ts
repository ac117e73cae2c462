/**
 * The customer admin's side: look at the request behind an emailed link, then accept or
 * decline it. The link (id + secret) is the credential; an unknown id and a wrong secret get
 * the same answer in the same time.
 */
import { timingSafeEqual } from 'node:crypto';
import { addDays, hashSecret, newId, now } from '../clock.js';
import { ConflictError, GoneError, NotFoundError, type AppError } from '../errors.js';
import { effectiveStatus, toView, type Invitation, type InvitationView } from '../invitations/model.js';
import { findInvitation } from '../invitations/repository.js';
import type { Relationship } from '../relationships/model.js';
import { writeDecision } from './repository.js';

export type Decision = 'accept' | 'decline';

/** Compared against when there is no invitation, so a miss costs what a hit costs. */
const DUMMY_HASH = hashSecret('no invitation has this secret');

/** The pending request behind a link; refuses used, expired and unknown links with their codes. Changes nothing. */
export async function openRequest(invitationId: string, secret: string): Promise<Invitation> {
  const at = now();
  const invitation = await findInvitation(invitationId);
  const tokenHash = hashSecret(secret);
  if (!sameHash(tokenHash, invitation?.tokenHash ?? DUMMY_HASH) || invitation === undefined) throw linkNotFound();
  const refusal = refusalFor(invitation, at);
  if (refusal !== undefined) throw refusal;
  return invitation;
}

export interface DecisionResult {
  readonly invitation: InvitationView;
  readonly relationship: Relationship | null;
}

/**
 * Records the decision: one consistent read gathers the data, one transaction writes it. The
 * transaction's conditions (still pending, unexpired, same secret; no active relationship)
 * decide; the read never does.
 */
export async function decide(invitationId: string, secret: string, decision: Decision): Promise<DecisionResult> {
  const at = now();
  const invitation = await findInvitation(invitationId, true);
  const tokenHash = hashSecret(secret);
  if (!sameHash(tokenHash, invitation?.tokenHash ?? DUMMY_HASH) || invitation === undefined) throw linkNotFound();

  const relationship: Relationship | undefined =
    decision === 'accept'
      ? {
          id: newId(),
          partnerId: invitation.partnerId,
          partnerName: invitation.partnerName,
          customerDomain: invitation.customerDomain,
          customerName: invitation.customerName,
          roles: invitation.roles,
          status: 'ACTIVE',
          startsAt: at.toISOString(),
          endsAt: addDays(at, invitation.durationDays).toISOString(),
          autoExtend: invitation.autoExtend,
          invitationId: invitation.id,
          acceptedBy: invitation.adminEmail,
        }
      : undefined;
  const status = decision === 'accept' ? 'ACCEPTED' : 'DECLINED';
  const refused = await writeDecision(invitation, tokenHash, { status, at: at.toISOString(), relationship });

  if (refused?.reason === 'RELATIONSHIP_EXISTS') {
    throw new ConflictError('RELATIONSHIP_EXISTS', `${invitation.partnerName} already has an active relationship with ${invitation.customerDomain}.`);
  }
  if (refused !== undefined) {
    const current = refused.current;
    if (current === undefined || !sameHash(tokenHash, current.tokenHash)) throw linkNotFound();
    throw refusalFor(current, at) ?? new ConflictError('CONFLICT', 'The request changed while you answered it; open the link again.');
  }
  const decided: Invitation = {
    ...invitation,
    status,
    decidedAt: at.toISOString(),
    ...(relationship === undefined ? {} : { relationshipId: relationship.id }),
  };
  return { invitation: toView(decided, at), relationship: relationship ?? null };
}

/** Why a link can no longer be answered, or undefined while it can. */
function refusalFor(invitation: Invitation, at: Date): AppError | undefined {
  switch (effectiveStatus(invitation, at)) {
    case 'PENDING':
      return undefined;
    case 'ACCEPTED':
      return new ConflictError('ALREADY_ACCEPTED', 'This request has already been accepted.');
    case 'DECLINED':
      return new ConflictError('ALREADY_DECLINED', 'This request has already been declined.');
    case 'CANCELED':
      return new ConflictError('CANCELED', 'The partner withdrew this request.');
    case 'EXPIRED':
      return new GoneError('EXPIRED', 'This request expired without an answer. Ask the partner to send a new one.');
  }
}

function linkNotFound(): NotFoundError {
  return new NotFoundError('This link is not valid. Check that you opened the whole link from the email.');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
