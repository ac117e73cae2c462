/**
 * The customer admin signs in to grant power: `POST /accept/{id}/sign-in` checks the link (or the
 * session it started), opens a session bound to that invitation and sends the browser to the
 * identity provider; `GET /accept/callback` uses the session's state once, exchanges the code and
 * records the verified admin on the session. The link's secret never leaves our origin.
 */
import { newSecret, now } from '../clock.js';
import { SignInFailedError } from '../errors.js';
import { logger } from '../log.js';
import { openRequestWith } from '../acceptance/service.js';
import { sessionCookie } from './cookie.js';
import { authorizationRequest, exchangeCode } from './oidc.js';
import { liveSession, putSession, recordAdmin, SESSION_SECONDS, useState, type SignedInAdmin } from './session.js';

/** Where to send the browser, and the cookie that carries the new session. */
export interface SignInStart {
  readonly location: string;
  readonly cookie: string;
}

/**
 * Starts a sign-in for the invitation behind a link: the link's secret, or (to sign in as someone
 * else) an unexpired session of this invitation. The session stores the secret's hash, never the secret.
 */
export async function startSignIn(invitationId: string, secret: string, cookieValue: string | undefined): Promise<SignInStart> {
  const at = now();
  const previous = secret === '' && cookieValue !== undefined ? await liveSession(cookieValue, invitationId, at, false) : undefined;
  const { invitation, tokenHash } = await openRequestWith(invitationId, secret, previous?.tokenHash);
  const request = await authorizationRequest(invitation.adminEmail);
  const value = newSecret();
  await putSession(value, {
    invitationId,
    tokenHash,
    state: request.state,
    nonce: request.nonce,
    codeVerifier: request.codeVerifier,
    createdAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + SESSION_SECONDS * 1000).toISOString(),
  });
  return { location: request.url.href, cookie: sessionCookie(value) };
}

const FAILED: Record<string, string> = {
  NO_SESSION: 'This sign-in was not started here, or your browser did not keep its cookie. Open the emailed link and sign in again.',
  STATE_MISMATCH: 'This answer from the identity provider does not belong to your sign-in. Open the emailed link and sign in again.',
  STATE_USED: 'This sign-in was already used. Open the emailed link and sign in again.',
  EXPIRED: 'This sign-in took too long and expired. Open the emailed link and sign in again.',
};

/**
 * The identity provider's answer: uses the session's state (once), checks the invitation is still
 * open to the link that started it, exchanges the code and verifies the ID token, then records the
 * admin on the session. Answers the invitation to go back to; any failure is `SIGN_IN_FAILED`.
 */
export async function finishSignIn(cookieValue: string | undefined, query: Readonly<Record<string, string | undefined>>, rawQuery: string): Promise<string> {
  const at = now();
  if (query.error !== undefined) throw new SignInFailedError('The sign-in was not completed at the identity provider. Open the emailed link to try again.');
  if (cookieValue === undefined || query.state === undefined || query.code === undefined) throw new SignInFailedError(FAILED.NO_SESSION!);
  const used = await useState(cookieValue, query.state, at);
  if ('refused' in used) {
    logger.warn('Sign-in callback refused', { reason: used.refused });
    throw new SignInFailedError(FAILED[used.refused]!);
  }
  const { session } = used;
  // Accepted, canceled, replaced (resend) or expired meanwhile: the link's own answer, and no sign-in is recorded.
  await openRequestWith(session.invitationId, '', session.tokenHash);
  let admin: SignedInAdmin;
  try {
    admin = await exchangeCode(rawQuery, session, at);
  } catch (error) {
    logger.warn('Sign-in code exchange or ID token refused', { reason: error instanceof Error ? error.message : String(error) });
    throw new SignInFailedError('The identity provider did not confirm who signed in. Open the emailed link and sign in again.');
  }
  if (!(await recordAdmin(cookieValue, at.toISOString(), admin))) throw new SignInFailedError(FAILED.STATE_USED!);
  logger.info('Customer admin signed in', { invitationId: session.invitationId });
  return session.invitationId;
}
