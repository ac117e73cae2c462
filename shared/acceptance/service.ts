/**
 * The customer admin's side: look at the request behind an emailed link, then accept (all or
 * some of the roles, for the time asked or less) or decline (with a reason, if they like). The
 * link (id + secret) is the credential; an unknown id and a wrong secret get the same answer in
 * comparable time.
 */
import { timingSafeEqual } from 'node:crypto';
import type * as z from 'zod';
import { addDays, hashSecret, newId, now } from '../clock.js';
import { AppError, ConflictError, ForbiddenError, GoneError, NotFoundError, SignInRequiredError, ValidationError } from '../errors.js';
import { putAudit } from '../audit/repository.js';
import { closedTtl, effectiveStatus, isRetained, toView, type Invitation } from '../invitations/model.js';
import { findInvitation } from '../invitations/repository.js';
import type { Relationship } from '../relationships/model.js';
import { isPowerRole, type Role } from '../domain/roles.js';
import { findPolicy } from '../policy/repository.js';
import type { CustomerPolicy } from '../policy/model.js';
import { signedInSession, spendSession, type SignedInSession } from '../sign-in/session.js';
import { writeDecision, type DecisionRefusal } from './repository.js';
import { LINK_NOT_FOUND, type DecisionInput, type decisionResultSchema } from './schema.js';
import { countMetric } from '../metrics.js';
import { policyRefusalError, type PolicyRequest } from '../policy/conditions.js';
import { notifyAccepted, notifyDeclined } from '../notices/service.js';
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
  const found = await invitationOfHash(invitationId, hashSecret(secret), at, answering);
  if (found === 'NOT_FOUND') countMetric('AcceptanceLinkWrongSecret');
  return found;
}

/**
 * The invitation whose link's secret has this hash (a link, or a sign-in session that stores it),
 * or 404; 410 `LINK_REPLACED` for the hash of a link a resend replaced.
 */
async function invitationOfHash(invitationId: string, tokenHash: string, at: Date, answering: boolean) {
  const invitation = await findInvitation(invitationId, answering);
  const current = sameHash(tokenHash, invitation?.tokenHash ?? DUMMY_HASH);
  const replaced = (invitation?.replacedTokenHashes ?? []).reduce((found, old) => sameHash(tokenHash, old) || found, false);
  if (invitation === undefined || (!current && !replaced) || !isRetained(invitation, at)) return 'NOT_FOUND' as const;
  if (!current) {
    throw inLocaleOf(new GoneError('LINK_REPLACED', 'A newer email was sent for this request. Please use the link in the most recent email.'), invitation);
  }
  return { invitation, tokenHash };
}

/**
 * The invitation behind the link's secret or, without one, behind a signed-in session of it (by
 * the hash it stores); 404 for neither. A session whose link was replaced is refused like that link.
 */
async function credentialOf(invitationId: string, secret: string, session: SignedInSession | undefined, at: Date, answering: boolean) {
  const found = secret !== '' || session === undefined ? await invitationOfLink(invitationId, secret, at, answering) : await invitationOfHash(invitationId, session.tokenHash, at, answering);
  if (found === 'NOT_FOUND') throw linkNotFound();
  // A session counts only for the link it was started with.
  const signedIn = session !== undefined && sameHash(session.tokenHash, found.tokenHash) ? session : undefined;
  return { ...found, session: signedIn };
}

/** The pending request behind a link; refuses used, replaced, expired and unknown links with their codes. Changes nothing. */
export async function openRequest(invitationId: string, secret: string): Promise<Invitation> {
  return (await openRequestWith(invitationId, secret, undefined)).invitation;
}

/**
 * The pending request behind a link's secret or, when none is given, behind the secret's hash
 * (a sign-in session's); refused like {@link openRequest}. Changes nothing.
 */
export async function openRequestWith(invitationId: string, secret: string, tokenHash: string | undefined): Promise<{ invitation: Invitation; tokenHash: string }> {
  const at = now();
  const found = secret !== '' || tokenHash === undefined ? await invitationOfLink(invitationId, secret, at, false) : await invitationOfHash(invitationId, tokenHash, at, true);
  if (found === 'NOT_FOUND') throw linkNotFound();
  const refusal = refusalFor(found.invitation, at);
  if (refusal !== undefined) throw refusal;
  return found;
}

/** What the request page shows: the request, who is signed in for it, and whether accepting it as asked needs sign-in (and why). */
export interface RequestView {
  readonly invitation: Invitation;
  readonly signedInAs: SignedInSession['admin'] | undefined;
  /** `POWER`: a power role is asked for; `ALWAYS`: the customer's policy wants every acceptance signed in; undefined: the link suffices. */
  readonly signInNeeded: 'POWER' | 'ALWAYS' | undefined;
  /** Signed in as someone who cannot accept (another domain's admin, or not a named approver: 403 `WRONG_ACCOUNT`), so the page offers to sign in as someone else. */
  readonly wrongAccount: boolean;
}

/** The session's admin when it is an admin of the invitation's domain: the only signed-in admin who may accept. */
function adminOf(invitation: Invitation, session: SignedInSession | undefined): SignedInSession['admin'] | undefined {
  return session?.admin.customerDomain === invitation.customerDomain ? session.admin : undefined;
}

/** The pending request behind the link's secret or a signed-in session of it (the cookie's), as the page shows it. Changes nothing. */
export async function viewRequest(invitationId: string, secret: string, sessionCookie: string | undefined): Promise<RequestView> {
  const at = now();
  const session = await signedInSession(sessionCookie, invitationId, at);
  const { invitation, session: signedIn } = await credentialOf(invitationId, secret, session, at, false);
  const refusal = refusalFor(invitation, at);
  if (refusal !== undefined) throw refusal;
  const power = invitation.roles.some(isPowerRole);
  // The policy matters to the page when the link alone might do (does it want sign-in always?)
  // and when someone signed in (may they accept?); a power request seen from the link needs neither.
  const policy = !power || signedIn !== undefined ? await findPolicy(invitation.customerDomain) : undefined;
  const signInNeeded = power ? 'POWER' : policy?.signIn === 'ALWAYS' ? 'ALWAYS' : undefined;
  const wrongAccount = signedIn !== undefined && policy !== undefined && wrongAccountRefusal(invitation, signedIn, policy) !== undefined;
  return { invitation, signedInAs: signedIn?.admin, signInNeeded, wrongAccount };
}

export type DecisionResult = z.output<typeof decisionResultSchema>;

/**
 * Records the decision: one consistent read gathers the data, one transaction writes it with
 * the audit record. The transaction's conditions (still pending, unexpired, same secret, same
 * request; no active relationship; the customer's policy allows who accepts what) decide; the read never does.
 */
export async function decide(
  invitationId: string,
  secret: string,
  input: Omit<DecisionInput, 'token'>,
  sessionCookie?: string,
): Promise<DecisionResult> {
  const seen: { invitation?: Invitation } = {};
  try {
    return await answer(invitationId, secret, input, sessionCookie, seen);
  } catch (error) {
    throw seen.invitation === undefined ? error : inLocaleOf(error, seen.invitation);
  }
}

/** {@link decide}, noting the invitation once found, so that a refusal's page can speak its language. */
async function answer(
  invitationId: string,
  secret: string,
  input: Omit<DecisionInput, 'token'>,
  sessionCookie: string | undefined,
  seen: { invitation?: Invitation },
): Promise<DecisionResult> {
  const at = now();
  const signInSession = await signedInSession(sessionCookie, invitationId, at);
  const { invitation, tokenHash, session } = await credentialOf(invitationId, secret, signInSession, at, true);
  seen.invitation = invitation;
  // A session signed in as an admin of another domain names no one here.
  const admin = adminOf(invitation, session);
  const actor = { kind: 'customer', customerDomain: invitation.customerDomain, email: admin?.email ?? invitation.adminEmail, ...(admin === undefined ? {} : { subject: admin.sub }) } as const;
  let policyRequest: PolicyRequest | undefined;
  const base = { at: at.toISOString(), actor, partnerId: invitation.partnerId, customerDomain: invitation.customerDomain, invitationId };

  let relationship: Relationship | undefined;
  let refused: DecisionRefusal | undefined;
  if (input.decision === 'accept') {
    const roles = grantedRoles(invitation, input.roles ?? (input.rolesChosen === '1' ? [] : undefined));
    const days = grantedDays(invitation, input.durationDays);
    const policy = await findPolicy(invitation.customerDomain);
    requireSignIn(invitation, roles, session, policy);
    // The accepting transaction checks the policy again: a policy tightened meanwhile refuses the accept.
    policyRequest = { partnerId: invitation.partnerId, approver: admin?.email ?? invitation.adminEmail, roles, durationDays: days, signedIn: admin !== undefined };
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
      acceptedBy: admin === undefined ? { email: invitation.adminEmail, signedIn: false } : { email: admin.email, subject: admin.sub, signedIn: true },
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
      const spent = admin === undefined || session === undefined ? undefined : spendSession(session.cookieValue, invitationId, admin, at);
      const decision = { status: 'ACCEPTED', at: at.toISOString(), closedTtl: closedTtl(at), relationship, previousRelationship, audit, policy: policyRequest, session: spent } as const;
      refused = await writeDecision(invitation, tokenHash, decision);
      if (refused?.reason !== 'RELATIONSHIP_CHANGED' || attempt === MAX_ACCEPT_ATTEMPTS) break;
      previousRelationship = refused.current;
    }
    // Committed: the customer's notify addresses are told (never fails the answer).
    if (refused === undefined) await notifyAccepted(relationship, previousRelationship, at, policy);
  } else {
    const audit = putAudit({ ...base, type: 'InvitationDeclined', details: input.reason === undefined ? {} : { reason: input.reason } });
    refused = await writeDecision(invitation, tokenHash, { status: 'DECLINED', at: at.toISOString(), closedTtl: closedTtl(at), declineReason: input.reason, audit });
    // Committed: the partner is told (never fails the answer).
    if (refused === undefined) await notifyDeclined(invitation, input.reason);
  }

  if (refused?.reason === 'POLICY') {
    // DynamoDB refused under the policy as stored at that moment; that item names the rule.
    throw (
      policyRefusalError(refused.policy, policyRequest!) ??
      new ConflictError('CONFLICT', `${invitation.customerDomain} changed its policy while you answered; open the link again.`)
    );
  }
  if (refused?.reason === 'SESSION') {
    throw new SignInRequiredError('Your sign-in expired or was already used. Sign in again to accept.');
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
    if (!sameHash(tokenHash, current.tokenHash ?? DUMMY_HASH)) {
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

/**
 * Power (or, under a policy of `signIn: ALWAYS`, any role) is granted only by a signed-in admin of
 * the invitation's domain, and one the policy names when it names approvers: 401 without a
 * session, 403 `WRONG_ACCOUNT` for another account.
 */
function requireSignIn(invitation: Invitation, roles: readonly Role[], session: SignedInSession | undefined, policy: CustomerPolicy): void {
  if (session === undefined) {
    if (policy.signIn === 'ALWAYS') throw new SignInRequiredError(`${invitation.customerDomain} accepts requests only from a signed-in administrator. Sign in to accept.`);
    const power = roles.filter(isPowerRole);
    if (power.length > 0) throw new SignInRequiredError(`Granting ${power.join(', ')} needs a signed-in administrator of ${invitation.customerDomain}. Sign in to accept, or untick those roles.`);
    return;
  }
  const refusal = wrongAccountRefusal(invitation, session, policy);
  if (refusal !== undefined) throw refusal;
}

/** Why this signed-in admin may not accept (403 `WRONG_ACCOUNT`): an admin of another domain, or one the policy's named approvers leave out. */
function wrongAccountRefusal(invitation: Invitation, session: SignedInSession, policy: CustomerPolicy): ForbiddenError | undefined {
  const admin = adminOf(invitation, session);
  if (admin === undefined) {
    return new ForbiddenError('WRONG_ACCOUNT', `You are signed in as ${session.admin.email}, not as an administrator of ${invitation.customerDomain}. Sign in as someone else to accept.`);
  }
  if (policy.approvers.length > 0 && !policy.approvers.some((approver) => approver.toLowerCase() === admin.email)) {
    return new ForbiddenError('WRONG_ACCOUNT', `${invitation.customerDomain} lets only its named approvers accept, and ${admin.email} is not one. Sign in as someone else to accept.`);
  }
  return undefined;
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

/** Tags a refusal with the locale of the invitation it is about (its page falls back to that language); other errors pass unchanged. */
function inLocaleOf<E>(error: E, invitation: Invitation): E {
  if (error instanceof AppError) error.locale ??= invitation.locale;
  return error;
}

/** Why a link can no longer be answered, or undefined while it can. */
function refusalFor(invitation: Invitation, at: Date): AppError | undefined {
  const refusal = refusalOf(invitation, at);
  return refusal === undefined ? undefined : inLocaleOf(refusal, invitation);
}

function refusalOf(invitation: Invitation, at: Date): AppError | undefined {
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
