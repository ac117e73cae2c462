/**
 * Every protected route of the route table, called with every kind of token, over HTTP through
 * the local gateway: 401 for anything that is not a valid token, 403 for the wrong kind, 404 for
 * another tenant's resource, and no answer that carries another tenant's data.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type Route } from '../../infra/routes.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKeys } from '../../infra/local/jwt.js';
import { claimsFor } from '../../shared/identity/caller.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueDomain } from '../support/environment.js';
import { emailsTo, linkIn } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t.stop();
});

const OWNER = 'fabrikam';
const OTHER_PARTNER = 'adatum';
const OWNER_CLAIMS = claimsFor({ kind: 'partner', partnerId: OWNER }, 'id');

type Holder = 'owner partner' | 'owner customer' | 'other partner' | 'other customer';
type Case = 'none' | 'bad signature' | 'expired' | 'wrong issuer' | 'wrong audience' | 'wrong token use' | Holder | `${Holder} (access token)`;
const HOLDERS: Holder[] = ['owner partner', 'owner customer', 'other partner', 'other customer'];
// Valid tokens in both shapes: Cognito ID tokens (`custom:` claims, what AWS sends) and access tokens with plain claims.
const CASES: Case[] = ['none', 'bad signature', 'expired', 'wrong issuer', 'wrong audience', 'wrong token use', ...HOLDERS, ...HOLDERS.map((h) => `${h} (access token)` as const)];
const holderOf = (kind: Case): Holder | undefined => HOLDERS.find((h) => kind === h || kind === `${h} (access token)`);

/** A fresh invitation of the owner to a fresh customer, and optionally its acceptance. */
async function fixture(accept: boolean): Promise<{ customer: string; invitationId: string }> {
  const customer = uniqueDomain('tenant');
  const created = await t.api('POST', '/invitations', { token: await t.partnerToken(OWNER), body: { customerDomain: customer, adminEmail: `admin@${customer}` } });
  const invitationId = String(created.json?.id);
  if (accept) {
    const { token } = linkIn((await emailsTo(`admin@${customer}`))[0]!);
    const answer = await t.api('POST', `/accept/${invitationId}`, { body: { token, decision: 'accept' }, headers: { Accept: 'application/json' } });
    expect(answer.status).toBe(200);
  }
  return { customer, invitationId };
}

async function tokenFor(kind: Case, customer: string): Promise<string | undefined> {
  const { stack } = t;
  const sign = (claims: Record<string, unknown>, tweak: (jwt: SignJWT) => SignJWT = (j) => j) =>
    tweak(new SignJWT({ ...OWNER_CLAIMS, ...claims }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt())
      .sign(stack.keys.privateKey);
  switch (kind) {
    case 'none':
      return undefined;
    case 'bad signature': {
      const stranger = await loadOrCreateKeys(await mkdtemp(join(tmpdir(), 'stranger-key-')));
      return new SignJWT(OWNER_CLAIMS)
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setExpirationTime('1h')
        .sign(stranger.privateKey);
    }
    case 'expired':
      return sign({}, (j) => j.setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime(Math.floor(Date.now() / 1000) - 60));
    case 'wrong issuer':
      return sign({}, (j) => j.setIssuer('https://issuer.example').setAudience(LOCAL_AUDIENCE).setExpirationTime('1h'));
    case 'wrong audience':
      return sign({}, (j) => j.setIssuer(LOCAL_ISSUER).setAudience('someone-else').setExpirationTime('1h'));
    case 'wrong token use':
      return sign({ token_use: 'refresh' }, (j) => j.setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setExpirationTime('1h'));
  }
  const shape = kind.endsWith('(access token)') ? 'access' : 'id';
  switch (holderOf(kind)) {
    case 'owner partner':
      return t.partnerToken(OWNER, shape);
    case 'other partner':
      return t.partnerToken(OTHER_PARTNER, shape);
    case 'owner customer':
      return t.customerToken(customer, shape);
    case 'other customer':
      return t.customerToken(uniqueDomain('stranger'), shape);
    case undefined:
      throw new Error(`no token for ${kind}`);
  }
}

/** The request a route gets in this matrix, built on fresh data where the route changes state. */
async function requestFor(route: Route) {
  const needsRelationship = route.path.includes('relationships/');
  const { customer, invitationId } = await fixture(needsRelationship || route.path === '/customer/relationships' || route.path === '/audit');
  const path = route.path.replace('{id}', invitationId).replace('{customerDomain}', customer).replace('{partnerId}', OWNER);
  const fresh = uniqueDomain('fresh');
  const body =
    route.method === 'POST' && route.path === '/invitations'
      ? { customerDomain: fresh, adminEmail: `admin@${fresh}` }
      : route.method === 'PUT' && route.path === '/customer/policy'
        ? {}
        : undefined;
  return { customer, invitationId, path, body };
}

/** A refusal from a function (problem+json with its code), or API Gateway's own JWT authorizer's 401, which an HTTP API cannot shape. */
type Expectation = { status: number | 'success'; code?: string; gateway?: { message: string } };

function expected(route: Route, kind: Case): Expectation {
  const holder = holderOf(kind);
  if (holder === undefined) return { status: 401, gateway: { message: 'Unauthorized' } };
  const partner = holder === 'owner partner' || holder === 'other partner';
  const owner = holder === 'owner partner' || holder === 'owner customer';
  const item = route.path.includes('{');
  if (route.access === 'partner' && !partner) return { status: 403, code: 'PARTNER_TOKEN_REQUIRED' };
  if (route.access === 'customer' && partner) return { status: 403, code: 'CUSTOMER_TOKEN_REQUIRED' };
  if (!owner && item) return { status: 404, code: 'NOT_FOUND' };
  return { status: 'success' };
}

const protectedRoutes = routes.filter((route) => route.access !== 'public');

describe('who may call what', () => {
  it('covers every protected route of the route table', () => {
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(10);
  });

  for (const route of protectedRoutes) {
    it(`${route.method} ${route.path}: 401 without a valid token, 403 for the wrong kind, 404 or nothing of the owner's for others`, async () => {
      for (const kind of CASES) {
        // Prepare
        const request = await requestFor(route);
        const token = await tokenFor(kind, request.customer);
        // Act
        const response = await t.api(route.method, request.path, { token, body: request.body });
        // Assess
        const want = expected(route, kind);
        const label = `${route.method} ${route.path} with ${kind}`;
        if (want.status === 'success') {
          expect(response.status, `${label}: ${response.text}`).toBeGreaterThanOrEqual(200);
          expect(response.status, `${label}: ${response.text}`).toBeLessThan(300);
        } else {
          expect(response.status, `${label}: ${response.text}`).toBe(want.status);
          if (want.gateway !== undefined) {
            expect(response.headers.get('content-type'), label).toBe('application/json');
            expect(response.json, label).toEqual(want.gateway);
          } else {
            expect(response.headers.get('content-type'), label).toBe('application/problem+json');
            expect(response.json?.code, label).toBe(want.code);
          }
        }
        if (holderOf(kind) !== 'owner partner' && holderOf(kind) !== 'owner customer') {
          expect(response.text, `${label} leaks the owner's customer`).not.toContain(request.customer);
          expect(response.text, `${label} leaks the owner's invitation`).not.toContain(request.invitationId);
        }
      }
    });
  }
});
