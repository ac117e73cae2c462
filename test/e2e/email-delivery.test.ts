/**
 * Invitation emails leave the request path and survive SES failing: an SES endpoint that throttles
 * for a while, then is unavailable for a while, then recovers, still gets every invitation's email
 * exactly once, none lost, and no link is ever sent twice. The endpoint speaks SES's v1 query API and answers its errors in
 * SES's own shape (XML `ErrorResponse`, 400 `Throttling`, 503 `ServiceUnavailable`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uniqueDomain } from '../support/environment.js';
import { emailsSettled } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { startSesEndpoint, THROTTLED, UNAVAILABLE, type SesEndpoint } from '../support/ses-endpoint.js';

interface Accepted {
  readonly to: string;
  readonly token: string;
  readonly invitationId: string;
}

/** What the endpoint does with each next request, in order; once the plan is spent, it accepts. */
let plan: ('swallow' | 'throttle')[] = [];
/** An outage by the clock: SES throttles until `throttleUntil`, then answers 503 until `unavailableUntil`. */
let outage = { throttleUntil: 0, unavailableUntil: 0 };
const accepted: Accepted[] = [];
let refused = 0;
let ses: SesEndpoint;
let t: TestStack;

beforeAll(async () => {
  // Tests wait 20 ms where AWS waits a second (EMAIL_RETRY_BASE_MS): a two-second outage here stands for minutes there,
  // and takes more of the 8 attempts than it would. Give each email enough that no outage of this file spends them.
  process.env.EMAIL_MAX_ATTEMPTS = '20';
  ses = await startSesEndpoint((fields) => {
    const now = Date.now();
    if (now < outage.unavailableUntil) {
      refused++;
      return now < outage.throttleUntil ? THROTTLED : UNAVAILABLE;
    }
    const step = plan.shift();
    if (step === 'throttle') {
      refused++;
      return THROTTLED;
    }
    // SES took it (the admin gets it); with 'swallow' its answer never comes back, and the sender cannot know.
    const link = new URL(/https?:\/\/\S+/.exec(fields.get('Message.Body.Text.Data') ?? '')?.[0] ?? 'http://none.invalid/');
    accepted.push({ to: fields.get('Destination.ToAddresses.member.1') ?? '', token: link.searchParams.get('token') ?? '', invitationId: link.pathname.split('/').at(-1) ?? '' });
    return step === 'swallow' ? 'swallow' : 'accept';
  });
  t = await startTestStack({ sesEndpoint: ses.url });
});

afterAll(async () => {
  delete process.env.EMAIL_MAX_ATTEMPTS;
  await t.stop();
  await ses.close();
});

beforeEach(() => {
  plan = [];
  outage = { throttleUntil: 0, unavailableUntil: 0 };
  accepted.length = 0;
  refused = 0;
});

describe('invitation emails while SES fails', () => {
  it('emails every invitation exactly once through throttling and an outage, none lost, none twice', { timeout: 60_000 }, async () => {
    // Prepare: SES throttles for a second, is unavailable for the next, then recovers.
    const start = Date.now();
    outage = { throttleUntil: start + 1000, unavailableUntil: start + 2000 };
    const token = await t.partnerToken('fabrikam');
    const customers = Array.from({ length: 20 }, () => uniqueDomain());
    // Act
    const created = await Promise.all(customers.map((customer) => t.api('POST', '/invitations', { token, body: { customerDomain: customer, adminEmail: `admin@${customer}` } })));
    await emailsSettled(60_000);
    // Assess: every request answered at once with its email queued, whatever SES was doing.
    expect(created.map((response) => [response.status, response.json?.email?.status])).toEqual(customers.map(() => [201, 'QUEUED']));
    const perAdmin = customers.map((customer) => accepted.filter((email) => email.to === `admin@${customer}`).length);
    const sent = accepted.length;
    const lost = perAdmin.filter((count) => count === 0).length;
    const duplicated = perAdmin.reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    console.log(`delivery through throttling and an outage: ${customers.length} invitations, sent ${sent}, retried ${refused}, duplicated ${duplicated}, lost ${lost}`);
    expect({ sent, duplicated, lost }).toEqual({ sent: 20, duplicated: 0, lost: 0 });
    expect(refused).toBeGreaterThan(0);
    for (const response of created) {
      const id = String(response.json?.id);
      const invitation = await t.api('GET', `/invitations/${id}`, { token });
      // SENT, or already DELIVERED: the local stack plays SES's mailbox simulator.
      expect(['SENT', 'DELIVERED']).toContain(invitation.json?.email?.status);
      const email = accepted.find((candidate) => candidate.invitationId === id);
      expect((await t.api('GET', `/accept/${id}?token=${encodeURIComponent(email?.token ?? '')}`)).status).toBe(200);
    }
    expect(new Set(accepted.map((email) => email.token)).size).toBe(accepted.length);
  });

  it('sends a new link, never the same one again, when SES took an email but its answer was lost; the older link then answers 410 LINK_REPLACED', async () => {
    // Prepare
    plan = ['swallow'];
    const token = await t.partnerToken('fabrikam');
    const customer = uniqueDomain();
    // Act
    const created = await t.api('POST', '/invitations', { token, body: { customerDomain: customer, adminEmail: `admin@${customer}` } });
    await emailsSettled();
    // Assess
    const emails = accepted.filter((email) => email.to === `admin@${customer}`);
    expect(emails).toHaveLength(2);
    expect(emails[0]?.token).not.toBe(emails[1]?.token);
    const id = String(created.json?.id);
    const { email } = (await t.api('GET', `/invitations/${id}`, { token })).json ?? {};
    expect([['SENT', 2], ['DELIVERED', 2]]).toContainEqual([email?.status, email?.attempts]);
    const older = await t.api('GET', `/accept/${id}?token=${encodeURIComponent(emails[0]?.token ?? '')}`);
    expect([older.status, older.text]).toEqual([410, expect.stringContaining('LINK_REPLACED') as unknown]);
    expect((await t.api('GET', `/accept/${id}?token=${encodeURIComponent(emails[1]?.token ?? '')}`)).status).toBe(200);
  });
});

describe('notices while SES throttles', () => {
  it("tells the customer of a grant even when SES throttles the notice's first try", { timeout: 30_000 }, async () => {
    // Prepare: a customer whose policy tells its security mailbox; a read-only request, emailed.
    const customer = uniqueDomain();
    const security = `security@${customer}`;
    const policy = await t.api('PUT', '/customer/policy', { token: await t.customerToken(customer), body: { notify: [security] } });
    const created = await t.api('POST', '/invitations', {
      token: await t.partnerToken('fabrikam'),
      body: { customerDomain: customer, adminEmail: `admin@${customer}`, roles: ['DIRECTORY_READER'] },
    });
    await emailsSettled();
    const link = accepted.find((email) => email.invitationId === created.json?.id);
    accepted.length = 0;
    plan = ['throttle'];
    // Act: the admin accepts; the grant notice's first send is throttled.
    const answer = await fetch(`${t.stack.apiUrl}/accept/${String(created.json?.id)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ token: link?.token ?? '', decision: 'accept' }),
    });
    // Assess: the throttled notice was sent again, once, and the partner's notice went out too.
    expect(policy.status).toBe(200);
    expect(answer.status).toBe(200);
    expect(refused).toBe(1);
    expect(accepted.map((email) => email.to).sort()).toEqual(['ops@fabrikam.com', security].sort());
  });
});
