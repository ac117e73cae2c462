/**
 * The customer admin's side: look at the request behind an emailed link, then accept (all or
 * some of the roles, for the time asked or less) or decline (with a reason, if they like). The
 * link (id + secret) is the credential; an unknown id and a wrong secret get the same answer in
 * comparable time.
 */
import { timingSafeEqual } from 'node:crypto';
import type * as z from 'zod';
import { addDays, hashSecret, newId, now } from '../clock.js';
import { type AppError, ConflictError, GoneError, NotFoundError, ValidationError } from '../errors.js';
import { putAudit } from '../audit/repository.js';
import { closedTtl, effectiveStatus, isRetained, toView, type Invitation } from '../invitations/model.js';
import { findInvitation } from '../invitations/repository.js';
import type { Relationship } from '../relationships/model.js';
import type { Role } from '../domain/roles.js';
import { writeDecision, type DecisionRefusal } from './repository.js';
import { LINK_NOT_FOUND, type DecisionInput, type decisionResultSchema } from './schema.js';
import { countMetric } from '../metrics.js';
import { policyRefusalError, type PolicyRequest } from '../policy/conditions.js';
import { notifyAccepted } from '../notices/service.js';
import { logger } from '../log.js';

/** Accept tries: as the pair's first relationship, then over the item found (twice, should the schedule change it meanwhile). */
const MAX_ACCEPT_ATTEMPTS = 3;

/** Compared against when there is no invitation, so a miss costs what a hit costs. */
const DUMMY_HASH = hashSecret('no invitation has this secret');

/**
 * The invitation behind a link, or 404 when the id is unknown or the secret was never this
 * invitation's. A wrong secret changes nothing stored (a 256-bit secret cannot be guessed, and a
 * limit would let anyone who knows the id shut the customer out); it is counted as a metric, and
 * an alarm tells operators when someone is probing links.
 */
async function invitationOfLink(invitationId: string, secret: string, at: Date, answering: boolean) {
  const invitation = await findInvitation(invitationId, answering);
  const tokenHash = hashSecret(secret);
  const current = sameHash(tokenHash, invitation?.tokenHash ?? DUMMY_HASH);
  const replaced = (invitation?.replacedTokenHashes ?? []).reduce((found, old) => sameHash(tokenHash, old) || found, false);
  if (invitation === undefined || (!current && !replaced) || !isRetained(invitation, at)) {
    countMetric('AcceptanceLinkWrongSecret');
    throw linkNotFound();
  }
  if (!current) {
    throw new GoneError('LINK_REPLACED', 'A newer email was sent for this request. Please use the link in the most recent email.');
  }
  return { invitation, tokenHash };
}

/** The pending request behind a link; refuses used, replaced, expired and unknown links with their codes. Changes nothing. */
export async function openRequest(invitationId: string, secret: string): Promise<Invitation> {
  const at = now();
  const { invitation } = await invitationOfLink(invitationId, secret, at, false);
  const refusal = refusalFor(invitation, at);
  if (refusal !== undefined) throw refusal;
  return invitation;
}

export type DecisionResult = z.output<typeof decisionResultSchema>;

/** Who accepts: their address and whether they signed in (from the link alone: the invitation's admin, not signed in). */
export interface Acceptor {
  readonly email: string;
  readonly signedIn: boolean;
}

/**
 * Records the decision: one consistent read gathers the data, one transaction writes it with
 * the audit record. The transaction's conditions (still pending, unexpired, same secret, same
 * request; no active relationship; the customer's policy allows who accepts what) decide; the read never does.
 */
export async function decide(invitationId: string, secret: string, input: Omit<DecisionInput, 'token'>, acceptedBy?: Acceptor): Promise<DecisionResult> {
  const at = now();
  const { invitation, tokenHash } = await invitationOfLink(invitationId, secret, at, true);
  const acceptor = acceptedBy ?? { email: invitation.adminEmail, signedIn: false };
  let policyRequest: PolicyRequest | undefined;
  const actor = { kind: 'customer', customerDomain: invitation.customerDomain, email: invitation.adminEmail } as const;
  const base = { at: at.toISOString(), actor, partnerId: invitation.partnerId, customerDomain: invitation.customerDomain, invitationId };

  let relationship: Relationship | undefined;
  let refused: DecisionRefusal | undefined;
  if (input.decision === 'accept') {
    const roles = grantedRoles(invitation, input.roles ?? (input.rolesChosen === '1' ? [] : undefined));
    const days = grantedDays(invitation, input.durationDays);
    policyRequest = { partnerId: invitation.partnerId, approver: acceptor.email, roles, durationDays: days, signedIn: acceptor.signedIn };
    relationship = {
      id: newId(),
      partnerId: invitation.partnerId,
      partnerName: invitation.partnerName,
      customerDomain: invitation.customerDomain,
      customerName: invitation.customerName,
      roles,
      requestedRoles: invitation.roles,
      status: 'ACTIVE',
      startsAt: at.toISOString(),
      endsAt: addDays(at, days).toISOString(),
      autoExtend: invitation.autoExtend,
      invitationId,
      acceptedBy: { email: invitation.adminEmail, signedIn: false },
    };
    const audit = putAudit({
      ...base,
      type: 'InvitationAccepted',
      relationshipId: relationship.id,
      details: { grantedRoles: roles, requestedRoles: invitation.roles, durationDays: days, endsAt: relationship.endsAt, autoExtend: invitation.autoExtend },
    });
    // First as the pair's first relationship; a refusal hands back the item there is, and the
    // accept goes again over exactly that one (closing it if it expired by time).
    let previousRelationship: Relationship | undefined;
    for (let attempt = 1; ; attempt++) {
      const decision = { status: 'ACCEPTED', at: at.toISOString(), closedTtl: closedTtl(at), relationship, previousRelationship, audit, policy: policyRequest } as const;
      refused = await writeDecision(invitation, tokenHash, decision);
      if (refused?.reason !== 'RELATIONSHIP_CHANGED' || attempt === MAX_ACCEPT_ATTEMPTS) break;
      previousRelationship = refused.current;
    }
    // Committed: the customer's notify addresses are told (never fails the answer).
    if (refused === undefined) await notifyAccepted(relationship, previousRelationship, at);
  } else {
    const audit = putAudit({ ...base, type: 'InvitationDeclined', details: input.reason === undefined ? {} : { reason: input.reason } });
    refused = await writeDecision(invitation, tokenHash, { status: 'DECLINED', at: at.toISOString(), closedTtl: closedTtl(at), declineReason: input.reason, audit });
  }

  if (refused?.reason === 'POLICY') {
    // DynamoDB refused under the policy as stored at that moment; that item names the rule.
    throw (
      policyRefusalError(refused.policy, policyRequest!) ??
      new ConflictError('CONFLICT', `${invitation.customerDomain} changed its policy while you answered; open the link again.`)
    );
  }
  if (refused?.reason === 'RELATIONSHIP_CHANGED') {
    throw new ConflictError('CONFLICT', 'The relationship with this partner changed while you answered; open the link again.');
  }
  if (refused?.reason === 'RELATIONSHIP_EXISTS') {
    throw new ConflictError('RELATIONSHIP_EXISTS', `${invitation.partnerName} already has an active relationship with ${invitation.customerDomain}.`);
  }
  if (refused !== undefined) {
    const current = refused.current;
    if (current === undefined) throw linkNotFound();
    if (!sameHash(tokenHash, current.tokenHash)) {
      if ((current.replacedTokenHashes ?? []).some((old) => sameHash(tokenHash, old))) {
        throw new GoneError('LINK_REPLACED', 'A newer email was sent for this request. Please use the link in the most recent email.');
      }
      throw linkNotFound();
    }
    throw refusalFor(current, at) ?? new ConflictError('CONFLICT', 'The request changed while you answered it; open the link again.');
  }
  countMetric(input.decision === 'accept' ? 'InvitationsAccepted' : 'InvitationsDeclined');
  logger.info(input.decision === 'accept' ? 'Invitation accepted' : 'Invitation declined', { invitationId, partnerId: invitation.partnerId });
  const decided: Invitation = {
    ...invitation,
    status: input.decision === 'accept' ? 'ACCEPTED' : 'DECLINED',
    decidedAt: at.toISOString(),
    closedAt: at.toISOString(),
    ...(relationship === undefined ? {} : { relationshipId: relationship.id }),
    ...(input.decision === 'decline' && input.reason !== undefined ? { declineReason: input.reason } : {}),
  };
  return { invitation: toView(decided, at), relationship: relationship ?? null };
}

/** The roles the admin kept: a non-empty subset of what was asked (never more). */
function grantedRoles(invitation: Invitation, chosen: readonly Role[] | undefined): Role[] {
  if (chosen === undefined) return [...invitation.roles];
  const unknown = chosen.filter((role) => !invitation.roles.includes(role));
  if (unknown.length > 0) {
    throw new ValidationError('Only roles the partner asked for can be granted.', [{ path: 'roles', message: `not requested: ${unknown.join(', ')}` }]);
  }
  if (chosen.length === 0) {
    throw new ValidationError('Keep at least one role ticked, or decline the request.', [{ path: 'roles', message: 'no role selected' }]);
  }
  // In the order the partner asked for them, without repeats.
  return invitation.roles.filter((role) => chosen.includes(role));
}

/** The duration the admin chose: the requested one, or shorter. */
function grantedDays(invitation: Invitation, chosen: number | undefined): number {
  if (chosen === undefined) return invitation.durationDays;
  if (chosen > invitation.durationDays) {
    throw new ValidationError('The duration can be shortened, not lengthened.', [
      { path: 'durationDays', message: `at most ${invitation.durationDays} days` },
    ]);
  }
  return chosen;
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
  return new NotFoundError(LINK_NOT_FOUND);
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
