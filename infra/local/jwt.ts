/**
 * The local token issuer: an ES256 key kept in the stack's data directory, so the token
 * command signs for the stack that shares its LOCAL_DATA_DIR, and the gateway verifies the
 * way the HTTP API's JWT authorizer does (signature, issuer, audience, expiry).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';

export const LOCAL_ISSUER = 'partner-relationships-local';
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

export type Subject = { kind: 'partner'; partnerId: string } | { kind: 'customer'; customerDomain: string };

/** Signs a token for a partner (`partner_id`) or a customer admin (`customer_domain`). */
export async function signToken(keys: LocalKeys, subject: Subject, ttlSeconds = 12 * 60 * 60): Promise<string> {
  const claims =
    subject.kind === 'partner' ? { partner_id: subject.partnerId } : { customer_domain: subject.customerDomain };
  return new SignJWT({ ...claims, token_use: 'access' })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(subject.kind === 'partner' ? `partner:${subject.partnerId}` : `customer:${subject.customerDomain}`)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keys.privateKey);
}

/** Verifies a bearer token (signature, issuer, audience, expiry, token use); resolves to its claims or rejects. */
export async function verifyToken(keys: LocalKeys, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys.publicKey, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: [ALG] });
  if (!isSignInToken(payload.token_use)) throw new Error('token_use must be id or access');
  return payload;
}

/** Cognito's two sign-in token kinds; anything else (or nothing) is not a token to call the API with. */
export const isSignInToken = (tokenUse: unknown): boolean => tokenUse === 'id' || tokenUse === 'access';
