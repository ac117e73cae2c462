/**
 * The acceptance page in a real (headless) Chromium: a scanner that renders the page changes
 * nothing, and the admin can untick a role, shorten the duration and accept with clicks alone,
 * with JavaScript switched off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { randomUUID } from 'node:crypto';
import { putPartner } from '../../shared/partners/repository.js';
import { uniqueDomain } from '../support/environment.js';
import { emailsTo, linkIn } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;
let browser: Browser;

beforeAll(async () => {
  t = await startTestStack();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function invite(roles: string[]) {
  const customer = uniqueDomain();
  const created = await t.api('POST', '/invitations', {
    token: await t.partnerToken('fabrikam'),
    body: { customerDomain: customer, adminEmail: `admin@${customer}`, roles, durationDays: 200 },
  });
  expect(created.status).toBe(201);
  return { id: String(created.json?.id), customer, url: linkIn((await emailsTo(`admin@${customer}`))[0]!).url };
}

describe('the acceptance page in a browser', () => {
  it('changes nothing when a scanner renders it', async () => {
    // Prepare
    const { id, url } = await invite(['USER_ADMIN']);
    const token = await t.partnerToken('fabrikam');
    // The email's own news (SES's simulated delivery) lands first; only the fetches are under test.
    await t.stack.emailEventsSettled();
    const before = (await t.api('GET', `/invitations/${id}`, { token })).text;
    const context = await browser.newContext();
    const page = await context.newPage();
    // Act
    const response = await page.goto(url.href, { waitUntil: 'networkidle' });
    await page.screenshot({ fullPage: true });
    // Assess
    expect(response?.status()).toBe(200);
    expect(await page.title()).toContain('Fabrikam');
    expect((await t.api('GET', `/invitations/${id}`, { token })).text).toBe(before);
    await context.close();
  });

  it('lets the admin grant fewer roles for less time with clicks alone, JavaScript off', async () => {
    // Prepare
    const { id, customer, url } = await invite(['SECURITY_READER', 'BILLING_READER', 'DIRECTORY_READER']);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url.href);
    // Act
    await page.getByLabel(/Billing reader/).uncheck();
    await page.getByLabel(/Grant access for/).fill('30');
    await page.getByRole('button', { name: 'Accept' }).click();
    // Assess
    await expect.poll(() => page.textContent('h1')).toContain('now has admin access');
    const { json } = await t.api('GET', '/relationships', { token: await t.partnerToken('fabrikam') });
    const relationship = json?.items.find((r: { customerDomain: string }) => r.customerDomain === customer);
    expect(relationship).toMatchObject({ roles: ['SECURITY_READER', 'DIRECTORY_READER'], requestedRoles: ['SECURITY_READER', 'BILLING_READER', 'DIRECTORY_READER'], invitationId: id });
    expect(Date.parse(relationship.endsAt) - Date.parse(relationship.startsAt)).toBe(30 * 24 * 60 * 60 * 1000);
    await context.close();
  });

  it('refuses an accept with every role unticked, and says what to do', async () => {
    const { id, url } = await invite(['USER_ADMIN']);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url.href);
    await page.getByLabel(/User administrator/).uncheck();
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.textContent('body')).toContain('Keep at least one role ticked');
    const { json } = await t.api('GET', `/invitations/${id}`, { token: await t.partnerToken('fabrikam') });
    expect(json?.status).toBe('PENDING');
    await context.close();
  });
});

describe('the pages on a 320 px wide phone', () => {
  const PHONE = { width: 320, height: 640 };
  const overflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

  /** An invitation whose every name is one long unbroken word: partner, domain, address and message. */
  async function longWinded() {
    const partnerId = `long-${randomUUID().slice(0, 8)}`;
    await putPartner({ id: partnerId, name: `Northwind${'Traders'.repeat(20)}`, domain: `${partnerId}.example` });
    const customer = `${'c'.repeat(50)}${randomUUID().slice(0, 8)}.${'d'.repeat(60)}.com`;
    const created = await t.api('POST', '/invitations', {
      token: await t.partnerToken(partnerId),
      body: { customerDomain: customer, adminEmail: `${'a'.repeat(60)}@${customer}`, customerName: 'N'.repeat(150), message: 'M'.repeat(400) },
    });
    expect(created.status).toBe(201);
    return { partnerId, id: String(created.json?.id), url: linkIn((await emailsTo(`${'a'.repeat(60)}@${customer}`))[0]!).url };
  }

  it('scrolls no page sideways: the request, the decline confirmation and a refused link, even with long unbroken names', async () => {
    // Prepare
    const { partnerId, id, url } = await longWinded();
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    // Act
    await page.goto(url.href);
    const request = await overflow(page);
    await page.getByLabel(/why \(optional\)/).fill('R'.repeat(300));
    await page.getByRole('button', { name: 'Decline' }).click();
    await expect.poll(() => page.textContent('h1')).toContain('You declined the request');
    const confirmation = await overflow(page);
    const confirmationText = await page.textContent('main');
    const refused = await page.goto(url.href);
    const refusal = await overflow(page);
    // Assess
    expect({ request, confirmation, refusal }).toEqual({ request: expect.any(Number), confirmation: expect.any(Number), refusal: expect.any(Number) });
    expect(Math.max(request, confirmation, refusal)).toBeLessThanOrEqual(PHONE.width);
    expect(refused?.status()).toBe(409);
    // The confirmation promises only what is true: the partner sees the answer on the request.
    expect(confirmationText).toContain('will see your answer and your reason when they check the request');
    expect(confirmationText).not.toMatch(/let them know|email/i);
    const { json } = await t.api('GET', `/invitations/${id}`, { token: await t.partnerToken(partnerId) });
    expect(json).toMatchObject({ status: 'DECLINED', declineReason: 'R'.repeat(300) });
    await context.close();
  });
});
