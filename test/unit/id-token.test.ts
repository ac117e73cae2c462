/**
 * The ID token checks of the acceptance pages' sign-in, on tokens minted with the local
 * provider's own key: only a token for our client, from our issuer, with our nonce, inside the
 * clock tolerance, shaped as Cognito's ID tokens are, names an admin.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;
import { loadOrCreateIdpKey, LOCAL_CLIENT_ID, type IdpKey } from '../../infra/local/idp.js';
import { CLOCK_TOLERANCE_SECONDS, CUSTOMER_DOMAIN_CLAIM, verifyIdToken } from '../../shared/sign-in/oidc.js';

const ISSUER = 'http://localhost:8007';
const NOW = new Date('2026-06-01T12:00:00Z');
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

let dataDir: string;
let key: IdpKey;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'id-token-'));
  key = await loadOrCreateIdpKey(dataDir);
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** A token as the provider issues it, with `changes` applied (undefined removes a claim). */
async function mint(changes: Partial<Record<string, unknown>> = {}, signingKey?: SigningKey): Promise<string> {
  const claims: JWTPayload = {
    iss: ISSUER,
    aud: LOCAL_CLIENT_ID,
    sub: '5f0c7e0e-4a8f-4b7e-9a51-2f7b7f0b1c11',
    email: 'admin@contoso.com',
    email_verified: true,
    [CUSTOMER_DOMAIN_CLAIM]: 'contoso.com',
    'cognito:username': '5f0c7e0e-4a8f-4b7e-9a51-2f7b7f0b1c11',
    token_use: 'id',
    nonce: 'the-nonce',
    iat: epoch(NOW),
    exp: epoch(NOW) + 300,
  };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  const privateKey = signingKey ?? (await importJWK(key.privateJwk, 'ES256'));
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.privateJwk.kid }).sign(privateKey);
}

const verify = (token: string, at = NOW) =>
  verifyIdToken(token, { issuer: ISSUER, clientId: LOCAL_CLIENT_ID, nonce: 'the-nonce', keys: createLocalJWKSet({ keys: [key.publicJwk] }), at });

describe('the ID token checks', () => {
  it('name the admin of a well-formed token', async () => {
    await expect(verify(await mint())).resolves.toEqual({ email: 'admin@contoso.com', sub: '5f0c7e0e-4a8f-4b7e-9a51-2f7b7f0b1c11', customerDomain: 'contoso.com' });
  });

  it('refuse a token for another audience', async () => {
    await expect(verify(await mint({ aud: 'another-client' }))).rejects.toThrow(/aud/);
    await expect(verify(await mint({ aud: ['another-client', LOCAL_CLIENT_ID], azp: 'another-client' }))).rejects.toThrow(/several clients/);
  });

  it('refuse a token whose clock is skewed beyond the tolerance, either way', async () => {
    const skew = (CLOCK_TOLERANCE_SECONDS + 5) * 1000;
    // Issued in our future.
    await expect(verify(await mint({ iat: epoch(new Date(NOW.getTime() + skew)), exp: epoch(new Date(NOW.getTime() + skew)) + 300 }))).rejects.toThrow(/iat/);
    // Expired in our past.
    await expect(verify(await mint({ iat: epoch(NOW) - 300 - skew / 1000, exp: epoch(NOW) - skew / 1000 }))).rejects.toThrow(/exp/);
    // Within the tolerance: accepted.
    await expect(verify(await mint({ iat: epoch(NOW) + CLOCK_TOLERANCE_SECONDS - 5 }))).resolves.toMatchObject({ email: 'admin@contoso.com' });
  });

  it('refuse another issuer, another nonce, another key, an access token, an unverified email and a token naming no customer', async () => {
    const stranger = (await generateKeyPair('ES256')).privateKey;
    await expect(verify(await mint({ iss: 'http://localhost:9999' }))).rejects.toThrow(/iss/);
    await expect(verify(await mint({ nonce: 'another-nonce' }))).rejects.toThrow(/nonce/);
    await expect(verify(await mint({}, stranger))).rejects.toThrow(/signature/);
    await expect(verify(await mint({ token_use: 'access' }))).rejects.toThrow(/ID token/);
    await expect(verify(await mint({ email_verified: false }))).rejects.toThrow(/verified/);
    await expect(verify(await mint({ [CUSTOMER_DOMAIN_CLAIM]: undefined }))).rejects.toThrow(/customer admin/);
  });
});
