/**
 * Signing in to grant power, in a real (headless) Chromium with JavaScript off, at the real local
 * OpenID Provider: the link alone is refused for power, the admin signs in on the provider's own
 * page and accepts; an admin of another domain is refused; a reader-only request needs no sign-in.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
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
// The provider signs on the real clock.
afterEach(() => t.clock.set(new Date()));

async function invite(roles: string[]) {
  const customer = uniqueDomain();
  const created = await t.api('POST', '/invitations', {
    token: await t.partnerToken('fabrikam'),
    body: { customerDomain: customer, adminEmail: `admin@${customer}`, roles, durationDays: 200 },
  });
  expect(created.status).toBe(201);
  return { id: String(created.json?.id), customer, url: linkIn((await emailsTo(`admin@${customer}`))[0]!).url };
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  return context.newPage();
}

/** On the provider's page: type the account in and press "Sign in". */
async function signInAtProvider(page: Page, account: { email: string; password: string }) {
  await expect.poll(() => page.url()).toContain(new URL(t.stack.idpUrl).origin);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const relationshipOf = async (customer: string) =>
  (await t.api('GET', '/relationships', { token: await t.partnerToken('fabrikam') })).json?.items.find((r: { customerDomain: string }) => r.customerDomain === customer);

describe('signing in to grant power, in a browser with JavaScript off', () => {
  it('refuses USER_ADMIN from the link alone, then grants it to the admin who signed in, naming them in the audit', async () => {
    // Prepare
    const { id, customer, url } = await invite(['USER_ADMIN']);
    const admin = await t.customerAdmin(`admin@${customer}`);
    const page = await newPage();
    await page.goto(url.href);
    // Act
    const refused = page.waitForResponse((response) => response.request().method() === 'POST' && response.url().endsWith(`/accept/${id}`));
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.textContent('main')).toContain('SIGN_IN_REQUIRED');
    await page.getByRole('button', { name: 'Sign in…' }).click();
    await expect.poll(() => page.getByLabel('Email').inputValue()).toBe(`admin@${customer}`);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.textContent('main')).toContain('The email or the password is wrong');
    await signInAtProvider(page, admin);
    await expect.poll(() => page.textContent('main')).toContain(`Signed in as admin@${customer}`);
    const backOnPage = page.url();
    await page.getByRole('button', { name: 'Accept' }).click();
    // Assess
    await expect.poll(() => page.textContent('h1')).toContain('now has admin access');
    expect((await refused).status()).toBe(401);
    expect(backOnPage).not.toContain('token=');
    const relationship = await relationshipOf(customer);
    expect(relationship).toMatchObject({ status: 'ACTIVE', roles: ['USER_ADMIN'], acceptedBy: { email: `admin@${customer}`, signedIn: true } });
    const audit = (await t.api('GET', '/audit', { token: await t.customerToken(customer) })).json?.items;
    expect(audit.find((e: { type: string }) => e.type === 'InvitationAccepted').actor).toEqual({
      kind: 'customer',
      customerDomain: customer,
      email: `admin@${customer}`,
      subject: relationship.acceptedBy.subject,
    });
    await page.context().close();
  });

  it('tells an admin of another domain that they cannot accept, grants nothing, and lets the right admin sign in instead', async () => {
    // Prepare
    const { customer, url } = await invite(['USER_ADMIN']);
    const stranger = await t.customerAdmin(`admin@${uniqueDomain('elsewhere')}`);
    const admin = await t.customerAdmin(`admin@${customer}`);
    const page = await newPage();
    await page.goto(url.href);
    // Act
    await page.getByRole('button', { name: 'Sign in…' }).click();
    await signInAtProvider(page, stranger);
    await expect.poll(() => page.textContent('main')).toContain(`Signed in as ${stranger.email}`);
    const strangersPage = { text: await page.textContent('main'), accept: await page.getByRole('button', { name: 'Accept' }).count() };
    const granted = await relationshipOf(customer);
    // The page's CSP must let the form's redirect reach the provider, or Chromium stops it here.
    await page.getByRole('button', { name: 'Sign in as someone else' }).click();
    await signInAtProvider(page, admin);
    await expect.poll(() => page.textContent('main')).toContain(`Signed in as ${admin.email}`);
    await page.getByRole('button', { name: 'Accept' }).click();
    // Assess
    expect(strangersPage.text).toContain('You are signed in with another account');
    expect(strangersPage.accept).toBe(0);
    expect(granted).toBeUndefined();
    await expect.poll(() => page.textContent('h1')).toContain('now has admin access');
    expect(await relationshipOf(customer)).toMatchObject({ status: 'ACTIVE', acceptedBy: { email: admin.email, signedIn: true } });
    await page.context().close();
  });

  it('accepts a reader-only request without signing in', async () => {
    // Prepare
    const { customer, url } = await invite(['DIRECTORY_READER', 'BILLING_READER']);
    const page = await newPage();
    await page.goto(url.href);
    // Act
    const offered = await page.getByRole('button', { name: 'Sign in…' }).count();
    await page.getByRole('button', { name: 'Accept' }).click();
    // Assess
    await expect.poll(() => page.textContent('h1')).toContain('now has admin access');
    expect(offered).toBe(0);
    expect(await relationshipOf(customer)).toMatchObject({ status: 'ACTIVE', acceptedBy: { email: `admin@${customer}`, signedIn: false } });
    await page.context().close();
  });
});
