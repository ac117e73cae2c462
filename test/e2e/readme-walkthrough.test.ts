/**
 * The README's walk-through and the customer's view, step by step as written there, over HTTP:
 * every request it shows answers what it says it does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueDomain } from '../support/environment.js';
import { emailsTo, linkIn } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { signInAtProvider, Visitor } from '../support/sign-in.js';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
});

afterAll(async () => {
  await t.stop();
});

/**
 * Step 3: the admin opens the newest email from a partner, signs in at the local provider when
 * the page asks (power roles), and presses Accept, as a browser would.
 */
async function acceptNewest(admin: string, partnerName: string): Promise<number> {
  const email = (await emailsTo(admin)).filter((e) => e.subject.startsWith(partnerName)).at(-1);
  const { url, token, invitationId } = linkIn(email!);
  const visitor = new Visitor();
  const page = await visitor.request(url);
  if (page.text.includes('Sign in…')) {
    const { callback } = await signInAtProvider(visitor, t.stack.apiUrl, invitationId, token, await t.customerAdmin(admin));
    await visitor.request(callback);
  }
  return (await visitor.request(url, { form: { token, decision: 'accept' } })).status;
}

describe('the README walk-through', () => {
  it('ends, in the customer view, the partner of step 5 and leaves the partner of step 2 untouched', async () => {
    // Prepare
    const customer = uniqueDomain();
    const admin = `admin@${customer}`;
    const fabrikam = await t.partnerToken('fabrikam');
    const adatum = await t.partnerToken('adatum');
    const contoso = await t.customerToken(customer);
    // Act: steps 2 to 5
    const invited = await t.api('POST', '/invitations', {
      token: fabrikam,
      body: { customerDomain: customer, adminEmail: admin, customerName: 'Contoso Ltd', roles: ['USER_ADMIN', 'BILLING_READER'], durationDays: 180, message: 'As discussed on the phone.' },
    });
    const fabrikamAccepted = await acceptNewest(admin, 'Fabrikam');
    const fabrikamList = await t.api('GET', '/relationships', { token: fabrikam });
    const invitedAgain = await t.api('POST', '/invitations', { token: adatum, body: { customerDomain: customer, adminEmail: admin } });
    const adatumAccepted = await acceptNewest(admin, 'Adatum');
    // Act: the customer's view
    const listed = await t.api('GET', '/customer/relationships', { token: contoso });
    const ended = await t.api('DELETE', '/customer/relationships/adatum', { token: contoso });
    const after = await t.api('GET', '/customer/relationships', { token: contoso });
    // Assess
    expect(invited.status).toBe(201);
    expect(fabrikamAccepted).toBe(200);
    expect(fabrikamList.json?.items).toContainEqual(expect.objectContaining({ customerDomain: customer, status: 'ACTIVE' }));
    expect(invitedAgain.status).toBe(201);
    expect(adatumAccepted).toBe(200);
    expect(listed.json?.items.map((r: { partnerId: string }) => r.partnerId).sort()).toEqual(['adatum', 'fabrikam']);
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({ partnerId: 'adatum', status: 'TERMINATED', terminatedBy: 'customer' });
    const statuses = Object.fromEntries(after.json?.items.map((r: { partnerId: string; status: string }) => [r.partnerId, r.status]));
    expect(statuses).toEqual({ fabrikam: 'ACTIVE', adatum: 'TERMINATED' });
  });
});
