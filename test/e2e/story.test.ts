/**
 * The product's story over HTTP, through the local gateway, against DynamoDB Local and the SES
 * stand-in: partners invite, the admin answers from the email, both sides see the result.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/clock.js';
import { loadOrCreateKeys, signToken } from '../../infra/local/jwt.js';
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

afterEach(() => t.clock.set(new Date()));

const partnerToken = (partnerId: string) => t.partnerToken(partnerId);
const api = (...args: Parameters<TestStack['api']>) => t.api(...args);

async function invite(partnerId: string, customer: string) {
  return api('POST', '/invitations', { token: await partnerToken(partnerId), body: { customerDomain: customer, adminEmail: `admin@${customer}` } });
}

/** The admin opens the newest email from `partnerName` and submits the page's form as a browser would. */
async function answerFromEmail(customer: string, partnerName: string, decision: 'accept' | 'decline') {
  const email = (await emailsTo(`admin@${customer}`)).filter((e) => e.subject.startsWith(partnerName)).at(-1);
  const { url } = linkIn(email!);
  const page = await fetch(url);
  const html = await page.text();
  expect(page.status).toBe(200);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
  expect(html).toContain(`value="${decision}"`);
  const response = await fetch(new URL(action!, url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: token!, decision }).toString(),
  });
  return { status: response.status, html: await response.text(), url };
}

describe('partners invite a customer, the admin accepts from the email', () => {
  it('lets two partners work with the same customer, both listing it as ACTIVE', async () => {
    // Prepare
    const customer = uniqueDomain();
    // Act
    expect((await invite('fabrikam', customer)).status).toBe(201);
    expect((await invite('adatum', customer)).status).toBe(201);
    const fabrikamAnswer = await answerFromEmail(customer, 'Fabrikam', 'accept');
    const adatumAnswer = await answerFromEmail(customer, 'Adatum', 'accept');
    // Assess
    expect(fabrikamAnswer.status).toBe(200);
    expect(adatumAnswer.status).toBe(200);
    for (const partnerId of ['fabrikam', 'adatum']) {
      const { json } = await api('GET', '/relationships?status=ACTIVE', { token: await partnerToken(partnerId) });
      expect(json?.items.filter((r: { customerDomain: string }) => r.customerDomain === customer)).toEqual([
        expect.objectContaining({ partnerId, customerDomain: customer, status: 'ACTIVE', acceptedBy: { email: `admin@${customer}`, signedIn: false } }),
      ]);
    }
  });

  it('answers a second use of the link with 409, on the page and in JSON', async () => {
    const customer = uniqueDomain();
    await invite('wingtip', customer);
    const first = await answerFromEmail(customer, 'Wingtip', 'accept');
    const again = await fetch(first.url);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('ALREADY_ACCEPTED');
    const { invitationId, token } = linkIn((await emailsTo(`admin@${customer}`))[0]!);
    const json = await api('POST', `/accept/${invitationId}`, { body: { token, decision: 'accept' }, headers: { Accept: 'application/json' } });
    expect(json.status).toBe(409);
    expect(json.headers.get('content-type')).toBe('application/problem+json');
    expect(json.json?.code).toBe('ALREADY_ACCEPTED');
  });

  it('answers an expired link with 410 once the clock passes 90 days, before any cleanup', async () => {
    const customer = uniqueDomain();
    await invite('fabrikam', customer);
    const { url } = linkIn((await emailsTo(`admin@${customer}`))[0]!);
    t.clock.advance(90 * DAY_MS + 1000);
    const page = await fetch(url);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('EXPIRED');
  });

  it('declines from the page, and the partner sees the invitation DECLINED with no relationship', async () => {
    const customer = uniqueDomain();
    const created = await invite('adatum', customer);
    const answer = await answerFromEmail(customer, 'Adatum', 'decline');
    expect(answer.status).toBe(200);
    const token = await partnerToken('adatum');
    expect((await api('GET', `/invitations/${created.json?.id}`, { token })).json?.status).toBe('DECLINED');
    const { json } = await api('GET', '/relationships', { token });
    expect(json?.items.some((r: { customerDomain: string }) => r.customerDomain === customer)).toBe(false);
  });

  it('lets exactly one of 20 simultaneous accepts of one link win', async () => {
    const customer = uniqueDomain();
    await invite('wingtip', customer);
    const { invitationId, token } = linkIn((await emailsTo(`admin@${customer}`))[0]!);
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${t.stack.apiUrl}/accept/${invitationId}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body: new URLSearchParams({ token, decision: 'accept' }).toString(),
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const { json } = await api('GET', '/relationships', { token: await partnerToken('wingtip') });
    expect(json?.items.filter((r: { customerDomain: string }) => r.customerDomain === customer)).toHaveLength(1);
  });

  it('changes nothing when a scanner fetches the link with GET or HEAD', async () => {
    const customer = uniqueDomain();
    const created = await invite('fabrikam', customer);
    const { url } = linkIn((await emailsTo(`admin@${customer}`))[0]!);
    const token = await partnerToken('fabrikam');
    // The email's own news (SES's simulated delivery) lands first; only the fetches are under test.
    await t.stack.emailEventsSettled();
    const before = (await api('GET', `/invitations/${created.json?.id}`, { token })).text;
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    expect((await api('GET', `/invitations/${created.json?.id}`, { token })).text).toBe(before);
  });
});

describe('the partner API refuses what it must', () => {
  it("refuses a registered partner's domain as a customer with 422", async () => {
    const response = await invite('fabrikam', 'adatum.com');
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json).toMatchObject({ status: 422, code: 'PARTNER_CANNOT_BE_CUSTOMER' });
  });

  it("hides a partner's invitation from another partner (404)", async () => {
    const created = await invite('fabrikam', uniqueDomain());
    const response = await api('GET', `/invitations/${created.json?.id}`, { token: await partnerToken('adatum') });
    expect(response.status).toBe(404);
    expect(response.text).not.toContain(created.json?.customerDomain);
  });

  it('answers a duplicate invitation with 409 INVITATION_PENDING', async () => {
    const customer = uniqueDomain();
    await invite('adatum', customer);
    expect((await invite('adatum', customer)).json).toMatchObject({ status: 409, code: 'INVITATION_PENDING' });
  });

  it('never returns the link or its secret to the partner', async () => {
    const customer = uniqueDomain();
    const created = await invite('wingtip', customer);
    const { token } = linkIn((await emailsTo(`admin@${customer}`))[0]!);
    const listed = await api('GET', '/invitations', { token: await partnerToken('wingtip') });
    for (const text of [created.text, listed.text]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain('/accept/');
    }
    expect(created.headers.get('location')).toBe(`/invitations/${created.json?.id}`);
  });

  it('needs a valid partner token: 401 without or with a bad one, 403 for a customer token', async () => {
    const body = { customerDomain: uniqueDomain(), adminEmail: 'a@b.com' };
    expect((await api('POST', '/invitations', { body })).status).toBe(401);
    expect((await api('GET', '/invitations', { token: 'not-a-jwt' })).status).toBe(401);
    const otherKeys = await loadOrCreateKeys(await mkdtemp(join(tmpdir(), 'other-key-')));
    const forged = await signToken(otherKeys, { kind: 'partner', partnerId: 'fabrikam' });
    expect((await api('GET', '/invitations', { token: forged })).status).toBe(401);
    const customer = await t.customerToken('contoso.com');
    const forbidden = await api('GET', '/invitations', { token: customer });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json?.code).toBe('PARTNER_TOKEN_REQUIRED');
  });

  it('answers bad bodies with problem+json: malformed JSON 400, unknown field 400, over 64 KiB 413', async () => {
    const token = await partnerToken('fabrikam');
    const malformed = await api('POST', '/invitations', { token, body: '{"customerDomain":' });
    expect(malformed.json).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    const unknown = await api('POST', '/invitations', { token, body: { customerDomain: 'x-corp.com', adminEmail: 'a@x-corp.com', partnerId: 'adatum' } });
    expect(unknown.json).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ path: 'partnerId', message: 'unknown field' }] });
    const huge = await api('POST', '/invitations', { token, body: { customerDomain: 'x-corp.com', adminEmail: 'a@x-corp.com', message: 'x'.repeat(70_000) } });
    expect(huge.status).toBe(413);
    expect(huge.json?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('serves the health check and the OpenAPI document of every route', async () => {
    expect((await api('GET', '/health')).json).toEqual({ status: 'ok' });
    const { json } = await api('GET', '/openapi.json');
    expect(json?.openapi).toBe('3.1.0');
    expect(Object.keys(json?.paths ?? {})).toEqual(expect.arrayContaining(['/invitations', '/invitations/{id}', '/relationships', '/accept/{id}']));
  });
});
