/**
 * The relationship lifecycle over HTTP, through the local gateway, as partners and customer
 * admins live it: decline with a reason, cancel, resend, accept some roles, list and end from
 * both sides, expire and extend with time, and read what happened in the audit trail.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCleanup } from '../../shared/cleanup/service.js';
import { DAY_MS } from '../../shared/clock.js';
import { uniqueDomain } from '../support/environment.js';
import { answerOnPage } from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { emailsTo, linkIn, newestLinkFor } from '../support/mail.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t.stop();
});
afterEach(() => t.clock.set(new Date()));

const MINUTE = 60_000;
const ACCEPT = { name: 'decision', value: 'accept' };
const DECLINE = { name: 'decision', value: 'decline' };
const admin = (customer: string) => `admin@${customer}`;

async function asPartner(partnerId: string, method: string, path: string, body?: unknown) {
  return t.api(method, path, { token: await t.partnerToken(partnerId), body });
}
async function asCustomer(customer: string, method: string, path: string) {
  return t.api(method, path, { token: await t.customerToken(customer) });
}

/** The partner asks; answers the invitation id and the link the admin was emailed. */
async function invite(partnerId: string, customer: string, extra: Record<string, unknown> = {}) {
  const created = await asPartner(partnerId, 'POST', '/invitations', { customerDomain: customer, adminEmail: admin(customer), ...extra });
  expect(created.status).toBe(201);
  const id = String(created.json?.id);
  return { id, link: (await newestLinkFor(admin(customer), id)).url };
}

/** A page's `<p class="code">`, the code a refused link carries. */
const codeOn = (html: string) => /<p class="code">([A-Z_]+)<\/p>/.exec(html)?.[1];

async function openLink(link: URL) {
  const page = await fetch(link);
  const html = await page.text();
  return { status: page.status, type: page.headers.get('content-type'), html, code: codeOn(html) };
}

describe('the customer admin answers on the page', () => {
  it('declines with a reason, and the partner reads the reason on the invitation', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { id, link } = await invite('adatum', customer);
    const reason = 'We already work with Fabrikam for this & that.';
    // Act
    const answer = await answerOnPage(link, DECLINE, { fill: { reason } });
    // Assess
    expect(answer.status).toBe(200);
    expect(codeOn(answer.html)).toBe('DECLINED');
    const seen = await asPartner('adatum', 'GET', `/invitations/${id}`);
    expect(seen.json).toMatchObject({ status: 'DECLINED', declineReason: reason });
    expect((await asPartner('adatum', 'GET', '/relationships')).json?.items.some((r: { customerDomain: string }) => r.customerDomain === customer)).toBe(false);
  });

  it('grants exactly the roles left ticked, for the days typed in', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { link } = await invite('fabrikam', customer, { roles: ['DIRECTORY_READER', 'SECURITY_READER', 'BILLING_READER'], durationDays: 90 });
    // Act
    const answer = await answerOnPage(link, ACCEPT, { untick: ['SECURITY_READER'], fill: { durationDays: '30' } });
    // Assess
    expect(answer.form.controls.filter((c) => c.type === 'checkbox').map((c) => `${c.value} ${c.checked}`)).toEqual([
      'DIRECTORY_READER true',
      'SECURITY_READER true',
      'BILLING_READER true',
    ]);
    expect({ status: answer.status, code: codeOn(answer.html) }, answer.html).toEqual({ status: 200, code: 'ACCEPTED' });
    const { json } = await asPartner('fabrikam', 'GET', '/relationships?status=ACTIVE');
    const relationship = json?.items.find((r: { customerDomain: string }) => r.customerDomain === customer);
    expect(relationship).toMatchObject({ roles: ['DIRECTORY_READER', 'BILLING_READER'], acceptedBy: { email: admin(customer), signedIn: false } });
    expect(Date.parse(relationship.endsAt) - Date.parse(relationship.startsAt)).toBe(30 * DAY_MS);
  });

  it('grants nothing when every role is unticked, and the request stays open', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { id, link } = await invite('wingtip', customer, { roles: ['USER_ADMIN', 'BILLING_READER'] });
    // Act
    const answer = await answerOnPage(link, ACCEPT, { untick: ['USER_ADMIN', 'BILLING_READER'] });
    // Assess
    expect({ status: answer.status, code: codeOn(answer.html) }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await asPartner('wingtip', 'GET', '/relationships')).json?.items.some((r: { customerDomain: string }) => r.customerDomain === customer)).toBe(false);
    expect((await asPartner('wingtip', 'GET', `/invitations/${id}`)).json?.status).toBe('PENDING');
    expect((await openLink(link)).status).toBe(200);
  });
});

describe('the partner corrects a request', () => {
  it('cancels it, and the old link then answers 409 CANCELED on a page', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { id, link } = await invite('fabrikam', customer);
    // Act
    const canceled = await asPartner('fabrikam', 'DELETE', `/invitations/${id}`);
    // Assess
    expect(canceled.status).toBe(200);
    expect(canceled.json?.status).toBe('CANCELED');
    const page = await openLink(link);
    expect(page).toMatchObject({ status: 409, code: 'CANCELED' });
    expect(page.type).toMatch(/^text\/html/);
    expect(page.html).toContain('withdrawn');
    expect((await asPartner('fabrikam', 'DELETE', `/invitations/${id}`)).json).toMatchObject({ status: 409, code: 'NOT_PENDING' });
  });

  it('resends it: the old link answers 410 LINK_REPLACED saying a newer email was sent, and the new link works', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { id, link: oldLink } = await invite('adatum', customer);
    // Act
    const resent = await asPartner('adatum', 'POST', `/invitations/${id}/resend`);
    // Assess
    expect(resent.status).toBe(202);
    expect(resent.text).not.toContain('/accept/');
    const emails = await emailsTo(admin(customer));
    expect(emails).toHaveLength(2);
    const newLink = linkIn(emails[1]!).url;
    expect(newLink.href).not.toBe(oldLink.href);
    const old = await openLink(oldLink);
    expect(old).toMatchObject({ status: 410, code: 'LINK_REPLACED' });
    expect(old.html).toContain('A newer email was sent');
    const answer = await answerOnPage(newLink, ACCEPT);
    expect(answer.status).toBe(200);
    expect((await asPartner('adatum', 'GET', `/invitations/${id}`)).json).toMatchObject({ status: 'ACCEPTED', resendCount: 1 });
  });
});

describe('both sides see and end their relationships', () => {
  it('lets the customer list two partners, export them, end one while the other stays ACTIVE, and a partner end its own', async () => {
    // Prepare
    const customer = uniqueDomain();
    for (const partner of ['fabrikam', 'adatum']) await answerOnPage((await invite(partner, customer)).link, ACCEPT);
    // Act: the customer looks, exports and ends Fabrikam
    const listed = await asCustomer(customer, 'GET', '/customer/relationships');
    const csv = await asCustomer(customer, 'GET', '/customer/relationships?format=csv');
    const ended = await asCustomer(customer, 'DELETE', '/customer/relationships/fabrikam');
    const afterCustomer = await asCustomer(customer, 'GET', '/customer/relationships');
    // Assess
    const byPartner = (items: { partnerId: string; status: string; terminatedBy?: string }[]) =>
      Object.fromEntries(items.map((r) => [r.partnerId, `${r.status}${r.terminatedBy === undefined ? '' : ` by ${r.terminatedBy}`}`]));
    expect(byPartner(listed.json?.items)).toEqual({ fabrikam: 'ACTIVE', adatum: 'ACTIVE' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = csv.text.trimEnd().split('\r\n');
    expect(header?.split(',').slice(0, 3)).toEqual(['partnerId', 'partnerName', 'status']);
    expect(rows.map((row) => row.split(',').slice(0, 3).join(',')).sort()).toEqual(['adatum,Adatum,ACTIVE', 'fabrikam,Fabrikam,ACTIVE']);
    // The README promises the roles granted and those requested, each in its own column.
    expect(header?.split(',').slice(3, 5)).toEqual(['roles', 'requestedRoles']);
    expect(rows.every((row) => row.split(',')[4] !== '')).toBe(true);
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({ partnerId: 'fabrikam', status: 'TERMINATED', terminatedBy: 'customer' });
    const adatumBefore = listed.json?.items.find((r: { partnerId: string }) => r.partnerId === 'adatum');
    expect(afterCustomer.json?.items.find((r: { partnerId: string }) => r.partnerId === 'adatum')).toEqual(adatumBefore);
    expect(byPartner(afterCustomer.json?.items)).toEqual({ fabrikam: 'TERMINATED by customer', adatum: 'ACTIVE' });

    // Act: Adatum ends its own
    const partnerEnded = await asPartner('adatum', 'DELETE', `/relationships/${customer}`);
    // Assess
    expect(partnerEnded.status).toBe(200);
    expect(partnerEnded.json).toMatchObject({ partnerId: 'adatum', customerDomain: customer, status: 'TERMINATED', terminatedBy: 'partner' });
    expect(byPartner((await asCustomer(customer, 'GET', '/customer/relationships')).json?.items)).toEqual({
      fabrikam: 'TERMINATED by customer',
      adatum: 'TERMINATED by partner',
    });
    expect((await asPartner('adatum', 'DELETE', `/relationships/${customer}`)).json).toMatchObject({ status: 409, code: 'NOT_ACTIVE' });
  });

  it.each([
    ['a partner token on the customer routes', 'partner', [['GET', '/customer/relationships'], ['DELETE', '/customer/relationships/fabrikam']], '403 CUSTOMER_TOKEN_REQUIRED'],
    [
      'a customer token on the partner routes',
      'customer',
      [['GET', '/invitations'], ['POST', '/invitations'], ['GET', '/relationships'], ['DELETE', '/relationships/contoso.com']],
      '403 PARTNER_TOKEN_REQUIRED',
    ],
  ] as const)('refuses %s', async (_, kind, routes, expected) => {
    const token = kind === 'partner' ? await t.partnerToken('fabrikam') : await t.customerToken('contoso.com');
    for (const [method, path] of routes) {
      const body = method === 'POST' ? { customerDomain: 'contoso.com', adminEmail: 'admin@contoso.com' } : undefined;
      const response = await t.api(method, path, { token, body });
      expect(`${method} ${path} → ${response.status} ${response.json?.code}`).toBe(`${method} ${path} → ${expected}`);
    }
  });
});

describe('time passes', () => {
  it('expires an unanswered request once the clock passes 90 days and cleanup runs', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { id, link } = await invite('wingtip', customer);
    t.clock.advance(90 * DAY_MS + MINUTE);
    // Act
    const report = await runCleanup();
    // Assess
    expect(report.expiredInvitations).toContain(id);
    expect((await asPartner('wingtip', 'GET', `/invitations/${id}`)).json).toMatchObject({ status: 'EXPIRED' });
    expect(await openLink(link)).toMatchObject({ status: 410, code: 'EXPIRED' });
    expect((await invite('wingtip', customer)).id).not.toBe(id);
  });

  it('extends an auto-extending relationship by 180 days at its end, and ends one that does not', async () => {
    // Prepare
    const customer = uniqueDomain();
    await answerOnPage((await invite('fabrikam', customer, { durationDays: 30, autoExtend: true })).link, ACCEPT);
    await answerOnPage((await invite('adatum', customer, { durationDays: 30, autoExtend: false })).link, ACCEPT);
    const before = (await asCustomer(customer, 'GET', '/customer/relationships')).json?.items as { partnerId: string; endsAt: string }[];
    t.clock.advance(30 * DAY_MS + MINUTE);
    // Act
    await runCleanup();
    // Assess
    const after = (await asCustomer(customer, 'GET', '/customer/relationships')).json?.items as { partnerId: string; status: string; endsAt: string }[];
    const fabrikam = { before: before.find((r) => r.partnerId === 'fabrikam'), after: after.find((r) => r.partnerId === 'fabrikam') };
    expect(fabrikam.after?.status).toBe('ACTIVE');
    expect(Date.parse(fabrikam.after?.endsAt ?? '') - Date.parse(fabrikam.before?.endsAt ?? '')).toBe(180 * DAY_MS);
    expect(after.find((r) => r.partnerId === 'adatum')).toMatchObject({ status: 'EXPIRED', endsAt: before.find((r) => r.partnerId === 'adatum')?.endsAt });
    expect((await asPartner('adatum', 'GET', '/relationships?status=EXPIRED')).json?.items.map((r: { customerDomain: string }) => r.customerDomain)).toContain(customer);
  });
});

describe('the audit trail', () => {
  it('shows each step once, newest first, to the partner and to the customer', async () => {
    // Prepare: one request's whole life, a minute between steps
    const customer = uniqueDomain();
    const { id } = await invite('wingtip', customer, { roles: ['USER_ADMIN', 'BILLING_READER'] });
    t.clock.advance(MINUTE);
    expect((await asPartner('wingtip', 'POST', `/invitations/${id}/resend`)).status).toBe(202);
    t.clock.advance(MINUTE);
    await answerOnPage((await newestLinkFor(admin(customer), id)).url, ACCEPT, { untick: ['USER_ADMIN'] });
    t.clock.advance(MINUTE);
    expect((await asCustomer(customer, 'DELETE', '/customer/relationships/wingtip')).status).toBe(200);
    // Act
    const customerTrail = await asCustomer(customer, 'GET', '/audit');
    const partnerTrail = await asPartner('wingtip', 'GET', '/audit?limit=100');
    const firstPage = await asCustomer(customer, 'GET', '/audit?limit=2');
    const secondPage = await asCustomer(customer, 'GET', `/audit?limit=2&cursor=${firstPage.json?.nextCursor}`);
    // Assess
    const steps = ['RelationshipTerminated', 'InvitationAccepted', 'InvitationResent', 'InvitationCreated'];
    type Event = { id: string; type: string; at: string; customerDomain: string; actor: { kind: string }; details?: Record<string, unknown> };
    const customerEvents = customerTrail.json?.items as Event[];
    expect(customerEvents.map((e) => e.type)).toEqual(steps);
    expect(customerEvents.map((e) => e.at)).toEqual(customerEvents.map((e) => e.at).sort().reverse());
    expect(new Set(customerEvents.map((e) => e.id)).size).toBe(steps.length);
    expect(customerEvents.map((e) => e.actor.kind)).toEqual(['customer', 'customer', 'partner', 'partner']);
    expect(customerEvents[1]?.details).toMatchObject({ grantedRoles: ['BILLING_READER'], requestedRoles: ['USER_ADMIN', 'BILLING_READER'] });
    const partnerEvents = (partnerTrail.json?.items as Event[]).filter((e) => e.customerDomain === customer);
    expect(partnerEvents).toEqual(customerEvents);
    expect([...(firstPage.json?.items as Event[]), ...(secondPage.json?.items as Event[])]).toEqual(customerEvents);
  });
});
