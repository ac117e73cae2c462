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
import { emailsSettled, emailsTo, linkIn, newestLinkFor } from '../support/mail.js';
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

  it('accepts a read-only request from the link alone, naming the address it was sent to', async () => {
    // Prepare
    const { id, customer, token } = await invite(['DIRECTORY_READER']);
    const visitor = new Visitor();
    // Act
    const page = await visitor.request(`${t.stack.apiUrl}/accept/${id}?token=${token}`);
    const accepted = await accept(visitor, id, { token });
    // Assess
    expect(signInFormOf(page.text)).toBeNull();
    expect(accepted.status).toBe(200);
    expect((await stateOf(id, customer)).relationship.acceptedBy).toEqual({ email: `admin@${customer}`, signedIn: false });
  });

  it('tells an admin of another domain on the page, refuses their accept with WRONG_ACCOUNT, offers to sign in as someone else, and then accepts as the right one', async () => {
    // Prepare
    const { id, customer, token, admin } = await invite(['GLOBAL_ADMIN']);
    const stranger = await t.customerAdmin(`admin@${uniqueDomain('elsewhere')}`);
    const visitor = new Visitor();
    const { callback } = await signInAtProvider(visitor, t.stack.apiUrl, id, token, stranger);
    await visitor.request(callback);
    // Act
    const page = await visitor.request(`${t.stack.apiUrl}/accept/${id}`);
    const refused = await accept(visitor, id);
    const before = await stateOf(id, customer);
    const again = await signInAtProvider(visitor, t.stack.apiUrl, id, signInFormOf(refused.text)?.[2], admin);
    await visitor.request(again.callback);
    const accepted = await accept(visitor, id);
    // Assess
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Signed in as <strong>${stranger.email}</strong>`);
    expect(page.text).toContain('You are signed in with another account');
    expect(signInFormOf(page.text)).not.toBeNull();
    expect(page.text).not.toContain('value="accept"');
    expect(page.text).toContain('value="decline"');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('WRONG_ACCOUNT');
    expect(refused.text).toContain('Sign in as someone else');
    expect(signInFormOf(refused.text)?.[2]).toBeUndefined();
    expect(before).toEqual({ status: 'PENDING', relationship: undefined });
    expect(accepted.status).toBe(200);
    expect((await stateOf(id, customer)).relationship.acceptedBy.email).toBe(`admin@${customer}`);
  });

  it('asks for sign-in on every grant when the policy says ALWAYS, and lets only named approvers accept (the page already tells anyone else)', async () => {
    // Prepare
    const { id, customer, token, admin } = await invite(['DIRECTORY_READER']);
    await db().send(new PutCommand({ TableName: tableName(), Item: { ...policyKey(customer), type: 'POLICY', signIn: 'ALWAYS', approvers: [`boss@${customer}`] } }));
    const visitor = new Visitor();
    // Act
    const page = await visitor.request(`${t.stack.apiUrl}/accept/${id}?token=${token}`);
    const fromLink = await accept(visitor, id, { token });
    const { callback } = await signInAtProvider(visitor, t.stack.apiUrl, id, token, admin);
    await visitor.request(callback);
    const notApproversPage = await visitor.request(`${t.stack.apiUrl}/accept/${id}`);
    const notApprover = await accept(visitor, id);
    // Assess
    expect(page.text).toContain('The policy of');
    expect(signInFormOf(page.text)).not.toBeNull();
    expect(fromLink.status).toBe(401);
    expect(notApproversPage.text).toContain('You are signed in with another account');
    expect(notApproversPage.text).not.toContain('value="accept"');
    expect(notApprover.status).toBe(403);
    expect(notApprover.text).toContain('WRONG_ACCOUNT');
    expect((await stateOf(id, customer)).status).toBe('PENDING');
  });

  it('starts a new sign-in at every "Sign in…", an Idempotency-Key or not: its answer carries a new session secret, which is never stored to be replayed', async () => {
    // Prepare
    const { id, token } = await invite(['USER_ADMIN']);
    const signIn = () =>
      fetch(`${t.stack.apiUrl}/accept/${id}/sign-in`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Idempotency-Key': `sign-in-${id}` },
        body: new URLSearchParams({ token }),
        redirect: 'manual',
      });
    // Act
    const [first, second] = [await signIn(), await signIn()];
    // Assess
    const state = (response: Response) => new URL(response.headers.get('location') ?? '').searchParams.get('state');
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(state(first)).not.toBe(state(second));
    expect(first.headers.getSetCookie()[0]).not.toBe(second.headers.getSetCookie()[0]);
  });
});

describe('the callback refuses, and nothing changes', () => {
  /** Signs in as the invitation's admin up to the provider's redirect back; the callback is not visited yet. */
  async function upToCallback(roles = ['USER_ADMIN']) {
    const invited = await invite(roles);
    const visitor = new Visitor();
    const flow = await signInAtProvider(visitor, t.stack.apiUrl, invited.id, invited.token, invited.admin);
    return { ...invited, visitor, ...flow };
  }

  /** True when the visitor's session shows the request as signed in (it stands in for the link). */
  const signedIn = async (visitor: Visitor, id: string) => (await visitor.request(`${t.stack.apiUrl}/accept/${id}`)).text.includes('Signed in as');

  it('refuses a replayed state', async () => {
    // Prepare
    const { id, customer, visitor, callback } = await upToCallback();
    expect((await visitor.request(callback)).status).toBe(303);
    // Act
    const replayed = await visitor.request(callback);
    // Assess
    expect(replayed.status).toBe(400);
    expect(replayed.text).toContain('SIGN_IN_FAILED');
    expect((await stateOf(id, customer)).status).toBe('PENDING');
  });

  it('refuses a forged state without spending the real one', async () => {
    // Prepare
    const { id, visitor, callback } = await upToCallback();
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state-value');
    // Act
    const refused = await visitor.request(forged);
    const afterForgery = await signedIn(visitor, id);
    const genuine = await visitor.request(callback);
    // Assess
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('SIGN_IN_FAILED');
    expect(afterForgery).toBe(false);
    expect(genuine.status).toBe(303);
    expect(await signedIn(visitor, id)).toBe(true);
  });

  it('refuses a stale session (ten minutes after "Sign in…")', async () => {
    // Prepare
    const { id, visitor, callback } = await upToCallback();
    t.clock.advance(10 * 60 * 1000 + 1000);
    // Act
    const refused = await visitor.request(callback);
    // Assess
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('expired');
    t.clock.set(new Date());
    expect(await signedIn(visitor, id)).toBe(false);
  });

  it('refuses a code used twice, even under a fresh state', async () => {
    // Prepare
    const { id, token, visitor, callback } = await upToCallback();
    expect((await visitor.request(callback)).status).toBe(303);
    const second = await visitor.request(`${t.stack.apiUrl}/accept/${id}/sign-in`, { form: { token } });
    const reused = new URL(callback);
    reused.searchParams.set('state', second.location!.searchParams.get('state')!);
    // Act
    const refused = await visitor.request(reused);
    // Assess
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('SIGN_IN_FAILED');
    expect(await signedIn(visitor, id)).toBe(false);
  });

  it("refuses another invitation's session: it neither opens nor accepts this one", async () => {
    // Prepare
    const first = await upToCallback();
    await first.visitor.request(first.callback);
    const other = await invite(['USER_ADMIN']);
    // Act
    const opened = await first.visitor.request(`${t.stack.apiUrl}/accept/${other.id}`);
    const accepted = await accept(first.visitor, other.id, { token: other.token });
    // Assess
    expect(opened.status).toBe(404);
    expect(accepted.status).toBe(401);
    expect(accepted.text).toContain('SIGN_IN_REQUIRED');
    expect((await stateOf(other.id, other.customer)).status).toBe('PENDING');
  });

  it.each([
    ['canceled', 409, 'CANCELED'],
    ['replaced by a resend', 410, 'LINK_REPLACED'],
    ['accepted', 409, 'ALREADY_ACCEPTED'],
    ['expired', 410, 'EXPIRED'],
  ] as const)('refuses a sign-in for an invitation %s meanwhile', async (what, status, code) => {
    // Prepare
    const partner = await t.partnerToken('fabrikam');
    const invited = await invite(['USER_ADMIN', 'DIRECTORY_READER']);
    if (what === 'expired') {
      const { json } = await t.api('GET', `/invitations/${invited.id}`, { token: partner });
      t.clock.set(new Date(Date.parse(json?.expiresAt) - 60_000));
    }
    const visitor = new Visitor();
    const { callback } = await signInAtProvider(visitor, t.stack.apiUrl, invited.id, invited.token, invited.admin);
    if (what === 'canceled') expect((await t.api('DELETE', `/invitations/${invited.id}`, { token: partner })).status).toBe(200);
    if (what === 'replaced by a resend') {
      expect((await t.api('POST', `/invitations/${invited.id}/resend`, { token: partner })).status).toBe(202);
      await emailsSettled(); // the new link is minted and mailed: the one signed in with is now replaced
    }
    if (what === 'accepted') expect((await new Visitor().request(`${t.stack.apiUrl}/accept/${invited.id}`, { form: { token: invited.token, decision: 'accept', roles: 'DIRECTORY_READER', rolesChosen: '1' } })).status).toBe(200);
    if (what === 'expired') t.clock.advance(2 * 60_000);
    const before = await stateOf(invited.id, invited.customer);
    // Act
    const refused = await visitor.request(callback);
    // Assess
    expect(refused.status).toBe(status);
    expect(refused.text).toContain(code);
    expect(await stateOf(invited.id, invited.customer)).toEqual(before);
    if (what === 'replaced by a resend') {
      // The newest link still opens the request, and the refused session is not signed in.
      const { token } = await newestLinkFor(`admin@${invited.customer}`, invited.id);
      expect((await visitor.request(`${t.stack.apiUrl}/accept/${invited.id}?token=${token}`)).text).not.toContain('Signed in as');
    }
  });
});
