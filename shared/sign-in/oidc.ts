/**
 * The acceptance pages' OpenID Connect client (openid-client): discovery of the provider named by
 * OIDC_ISSUER (Cognito in AWS, the local provider locally), the authorization request, the code
 * exchange, and our own verification of the ID token (issuer, audience, nonce, time, signature
 * from the provider's JWKS, and Cognito's claims).
 */
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { config, signInConfig } from '../config.js';
import { contentSecurityPolicy } from '../http/responses.js';
import { logger } from '../log.js';
import { CUSTOM_ATTRIBUTE_PREFIX, TENANT_CLAIMS } from '../identity/caller.js';
import type { SignedInAdmin } from './session.js';
import { SIGN_IN_CALLBACK_PATH } from './paths.js';

/** The ID token claim naming the admin's customer domain (a Cognito custom attribute). */
export const CUSTOMER_DOMAIN_CLAIM = `${CUSTOM_ATTRIBUTE_PREFIX}${TENANT_CLAIMS.customer}`;

/** Seconds of clock difference tolerated between the provider and us. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** An ID token older than this is refused, whatever its `exp` says. */
const MAX_TOKEN_AGE = '10m';

interface Provider {
  readonly key: string;
  readonly configuration: Promise<client.Configuration>;
  readonly keys: Promise<JWTVerifyGetKey>;
}
let cached: Provider | undefined;

/** Plain HTTP only for a provider on this machine (the local stack's). */
const isLocal = (issuer: URL) => issuer.protocol === 'http:' && (issuer.hostname === 'localhost' || issuer.hostname === '127.0.0.1');

/** The provider's discovered configuration and its JWKS, once per process (and per issuer, for tests). */
function provider(): Provider {
  const { issuer, clientId } = signInConfig();
  const key = `${issuer} ${clientId}`;
  if (cached?.key === key) return cached;
  const url = new URL(issuer);
  const configuration = client.discovery(url, clientId, undefined, client.None(), isLocal(url) ? { execute: [client.allowInsecureRequests] } : undefined);
  const current: Provider = {
    key,
    configuration,
    keys: configuration.then((c) => createRemoteJWKSet(new URL(String(c.serverMetadata().jwks_uri)))),
  };
  // A failed discovery is tried again on the next request, not cached.
  configuration.catch(() => {
    if (cached === current) cached = undefined;
  });
  cached = current;
  return current;
}

/** Where the identity provider takes the code back: our public callback. */
export const callbackUrl = () => `${config().publicBaseUrl}${SIGN_IN_CALLBACK_PATH}`;

/** What the authorization request binds: PKCE, state and nonce, all random. */
export interface AuthorizationRequest {
  readonly url: URL;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** The authorization request (code + PKCE S256 + state + nonce), forcing a fresh sign-in and suggesting the invited address. */
export async function authorizationRequest(loginHint: string): Promise<AuthorizationRequest> {
  const configuration = await provider().configuration;
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: callbackUrl(),
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    login_hint: loginHint,
    prompt: 'login',
  });
  return { url, state, nonce, codeVerifier };
}

/** The origin of the provider's authorization endpoint: a page whose form signs in must allow it in form-action. */
export async function authorizationOrigin(): Promise<string> {
  const configuration = await provider().configuration;
  return new URL(String(configuration.serverMetadata().authorization_endpoint)).origin;
}

/** Headers of a page whose form starts a sign-in: its CSP lets the form's redirect reach the provider. */
export async function signInPageHeaders(): Promise<Record<string, string>> {
  try {
    return { 'Content-Security-Policy': contentSecurityPolicy([await authorizationOrigin()]) };
  } catch (error) {
    // The provider is unreachable: the page still shows, and the sign-in itself will say it failed.
    logger.warn('Identity provider discovery failed', { reason: error instanceof Error ? error.message : String(error) });
    return {};
  }
}

/**
 * Exchanges the callback's code (with the session's PKCE verifier, checking its state and nonce)
 * and verifies the ID token; answers the admin it names. Rejects on any failure.
 */
export async function exchangeCode(rawQuery: string, checks: { state: string; nonce: string; codeVerifier: string }, at: Date): Promise<SignedInAdmin> {
  const { configuration, keys } = provider();
  const resolved = await configuration;
  const tokens = await client.authorizationCodeGrant(resolved, new URL(`${callbackUrl()}?${rawQuery}`), {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    expectedNonce: checks.nonce,
    idTokenExpected: true,
  });
  if (tokens.id_token === undefined) throw new Error('no ID token');
  const { issuer, clientId } = signInConfig();
  return verifyIdToken(tokens.id_token, { issuer: String(resolved.serverMetadata().issuer ?? issuer), clientId, nonce: checks.nonce, keys: await keys, at });
}

/**
 * Verifies an ID token as Cognito issues them: signature from the provider's keys, issuer,
 * audience (our client only), nonce, `exp`/`iat` within {@link CLOCK_TOLERANCE_SECONDS} of `at`,
 * `token_use: id`, a verified email and a customer domain. Answers the admin it names.
 */
export async function verifyIdToken(
  token: string,
  expected: { issuer: string; clientId: string; nonce: string; keys: JWTVerifyGetKey; at: Date },
): Promise<SignedInAdmin> {
  const { payload } = await jwtVerify(token, expected.keys, {
    issuer: expected.issuer,
    audience: expected.clientId,
    algorithms: ['RS256', 'ES256'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    maxTokenAge: MAX_TOKEN_AGE,
    currentDate: expected.at,
    requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
  });
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) throw new Error('the token is for several clients, not authorised to this one');
  if (payload.nonce !== expected.nonce) throw new Error('the nonce is not this sign-in’s');
  if (payload.token_use !== 'id') throw new Error('not an ID token');
  if (payload.email_verified !== true && payload.email_verified !== 'true') throw new Error('the email is not verified');
  const email = payload.email;
  const domain = payload[CUSTOMER_DOMAIN_CLAIM];
  if (typeof email !== 'string' || email === '' || typeof domain !== 'string' || domain === '' || payload.sub === undefined) {
    throw new Error('the token names no customer admin');
  }
  return { email: email.toLowerCase(), sub: payload.sub, customerDomain: domain.toLowerCase() };
}
