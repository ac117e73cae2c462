/**
 * The local token issuer: an ES256 key kept in the stack's data directory, so the token
 * command signs for the stack that shares its LOCAL_DATA_DIR, and the gateway verifies the
 * way the HTTP API's JWT authorizer does (signature, issuer, audience, expiry).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { claimsFor, isSignInToken, type Caller, type TokenShape } from '../../shared/identity/caller.js';

export const LOCAL_ISSUER = 'partner-relationships-local';
/** The local app client's id: an ID token's `aud`, an access token's `client_id`. */
export const LOCAL_AUDIENCE = 'partner-relationships';
const ALG = 'ES256';

type Key = Awaited<ReturnType<typeof importJWK>>;

export interface LocalKeys {
  readonly privateKey: Key;
  readonly publicKey: Key;
}

/** Loads the signing key of a data directory, creating it on first use. */
export async function loadOrCreateKeys(dataDir: string): Promise<LocalKeys> {
  const file = join(dataDir, 'jwt-key.json');
  let jwk: { privateJwk: JWK; publicJwk: JWK };
  try {
    jwk = JSON.parse(await readFile(file, 'utf8')) as typeof jwk;
  } catch {
    const pair = await generateKeyPair(ALG, { extractable: true });
    jwk = { privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
  }
  return {
    privateKey: await importJWK(jwk.privateJwk, ALG),
    publicKey: await importJWK(jwk.publicJwk, ALG),
  };
}

export type Subject = Caller;

export interface SignOptions {
  /** `id` (default): a Cognito ID token, as the API gets in AWS; `access`: plain tenant claims, `client_id` instead of `aud`. */
  readonly shape?: TokenShape;
  readonly ttlSeconds?: number;
  /** The user's email; by default one at the tenant's own domain. */
  readonly email?: string;
}

/** A stable UUID for a name, so one local user keeps one `sub` across tokens, as a Cognito user does. */
function uuidOf(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Signs a token for a partner or a customer admin, shaped as Cognito issues it: by default an ID
 * token (`custom:partner_id` / `custom:customer_domain`, `token_use: id`, `email`, `cognito:username`,
 * `aud` = the client id); with `shape: 'access'`, plain claims and `client_id`.
 */
export async function signToken(keys: LocalKeys, subject: Subject, options: SignOptions = {}): Promise<string> {
  const { shape = 'id', ttlSeconds = 12 * 60 * 60 } = options;
  const sub = uuidOf(subject.kind === 'partner' ? `partner:${subject.partnerId}` : `customer:${subject.customerDomain}`);
  const user =
    shape === 'id'
      ? { email: options.email ?? (subject.kind === 'partner' ? `staff@${subject.partnerId}.example` : `admin@${subject.customerDomain}`), email_verified: true, 'cognito:username': sub }
      : { client_id: LOCAL_AUDIENCE, username: sub, scope: 'aws.cognito.signin.user.admin' };
  const jwt = new SignJWT({ ...claimsFor(subject, shape), ...user, auth_time: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setSubject(sub)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`);
  return (shape === 'id' ? jwt.setAudience(LOCAL_AUDIENCE) : jwt).sign(keys.privateKey);
}

/** How many verified tokens the gateway remembers per key (the oldest is forgotten first). */
const REMEMBERED_TOKENS = 1_000;
const remembered = new WeakMap<LocalKeys, Map<string, JWTPayload>>();

/**
 * Verifies a bearer token as the HTTP API's JWT authorizer does (signature, issuer, expiry, and
 * `aud` or, for access tokens, `client_id` naming the client), then its token use; resolves to its claims or rejects.
 * A token that passed is remembered until its `exp`: API Gateway's authorizer costs the function
 * nothing, so the local stand-in should not add a signature check to every request. Only
 * accepted tokens are remembered, so every rejection is still decided by a full verification.
 */
export async function verifyToken(keys: LocalKeys, token: string): Promise<JWTPayload> {
  const known = remembered.get(keys) ?? new Map<string, JWTPayload>();
  remembered.set(keys, known);
  const hit = known.get(token);
  if (hit !== undefined) {
    // jose's rule: expired once `exp` is not after the current second.
    if ((hit.exp ?? 0) > Math.floor(Date.now() / 1000)) return { ...hit };
    known.delete(token);
  }
  const payload = await verifyFully(keys, token);
  if (known.size >= REMEMBERED_TOKENS) known.delete(known.keys().next().value!);
  known.set(token, payload);
  return { ...payload };
}

async function verifyFully(keys: LocalKeys, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys.publicKey, { issuer: LOCAL_ISSUER, algorithms: [ALG], requiredClaims: ['exp'] });
  const audiences = [payload.aud ?? [], payload.client_id].flat();
  if (!audiences.includes(LOCAL_AUDIENCE)) throw new Error('the token is not for this client');
  if (!isSignInToken(payload.token_use)) throw new Error('token_use must be id or access');
  return payload;
}
