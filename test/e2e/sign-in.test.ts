/**
 * Signing in to grant power, over HTTP against the real local OpenID Provider and DynamoDB Local:
 * the flow, and each refusal of the callback (replayed, forged and stale state, a code used twice,
 * another invitation's session, an invitation closed or replaced meanwhile). Each refusal changes nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../shared/data/client.js';
import { policyKey } from '../../shared/data/keys.js';
import { uniqueDomain } from '../support/environment.js';
import { emailsTo, linkIn, newestLinkFor } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { signInAtProvider, signInFormOf, Visitor } from '../support/sign-in.js';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t?.stop();
});
// The provider signs on the real clock: each test starts with ours there.
afterEach(() => t.clock.set(new Date()));

async function invite(roles: string[], customer = uniqueDomain()) {
  const created = await t.api('POST', '/invitations', {
    token: await t.partnerToken('fabrikam'),
    body: { customerDomain: customer, adminEmail: `admin@${customer}`, roles, durationDays: 200 },
  });
  expect(created.status).toBe(201);
  const id = String(created.json?.id);
  const { token } = linkIn((await emailsTo(`admin@${customer}`)).at(-1)!);
  return { id, customer, token, admin: await t.customerAdmin(`admin@${customer}`) };
}

/** The invitation as the partner sees it: its status and the relationship's acceptedBy, if any. */
async function stateOf(id: string, customer: string) {
  const token = await t.partnerToken('fabrikam');
  const invitation = (await t.api('GET', `/invitations/${id}`, { token })).json;
  const relationship = (await t.api('GET', '/relationships', { token })).json?.items.find((r: { customerDomain: string }) => r.customerDomain === customer);
  return { status: invitation?.status, relationship };
}

const accept = (visitor: Visitor, id: string, form: Record<string, string> = {}) =>
  visitor.request(`${t.stack.apiUrl}/accept/${id}`, { form: { decision: 'accept', ...form } });

describe('a customer admin signs in to grant power', () => {
  it('refuses a power grant from the link alone, then accepts as the signed-in admin, named with email and subject', async () => {
    // Prepare
    const { id, customer, token, admin } = await invite(['USER_ADMIN']);
    const visitor = new Visitor();
    const page = await visitor.request(`${t.stack.apiUrl}/accept/${id}?token=${token}`);
    // Act
    const refused = await accept(visitor, id, { token });
    const { callback, authorize } = await signInAtProvider(visitor, t.stack.apiUrl, id, token, admin);
    const back = await visitor.request(callback);
    const signedIn = await visitor.request(back.location!);
    const accepted = await accept(visitor, id);
    // Assess
    expect(signInFormOf(page.text)?.[2]).toBe(token);
    expect(page.text).toContain('Sign in…');
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('SIGN_IN_REQUIRED');
    expect(authorize.origin).not.toBe(t.stack.apiUrl);
    expect(authorize.searchParams.get('login_hint')).toBe(`admin@${customer}`);
    expect(authorize.searchParams.get('prompt')).toBe('login');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.href).not.toContain(token);
    expect(callback.href).not.toContain(token);
    expect(back.status).toBe(303);
    expect(back.location?.href).toBe(`${t.stack.apiUrl}/accept/${id}`);
    expect(signedIn.text).toContain(`Signed in as <strong>admin@${customer}</strong>`);
    expect(signedIn.text).not.toContain(token);
    expect(accepted.status, accepted.text.slice(0, 400)).toBe(200);
    const { status, relationship } = await stateOf(id, customer);
    expect(status).toBe('ACCEPTED');
    expect(relationship.acceptedBy).toEqual({ email: `admin@${customer}`, subject: expect.any(String), signedIn: true });
    const audit = (await t.api('GET', '/audit', { token: await t.customerToken(customer) })).json?.items;
    expect(audit.find((e: { type: string }) => e.type === 'InvitationAccepted').actor).toEqual({
      kind: 'customer',
      customerDomain: customer,
      email: `admin@${customer}`,
      subject: relationship.acceptedBy.subject,
    });
  });
});
