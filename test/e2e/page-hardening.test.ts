/** The acceptance page as a browser, a scanner and an attacker meet it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml } from '../../shared/pages/escape.js';
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

const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)", '</textarea><svg onload=alert(1)>'];

async function invite(extra: Record<string, unknown> = {}) {
  const customer = uniqueDomain();
  const created = await t.api('POST', '/invitations', {
    token: await t.partnerToken('fabrikam'),
    body: { customerDomain: customer, adminEmail: `admin@${customer}`, ...extra },
  });
  expect(created.status).toBe(201);
  return { id: String(created.json?.id), ...linkIn((await emailsTo(`admin@${customer}`))[0]!) };
}

describe('the acceptance page', () => {
  it('is served with a strict CSP, no framing, no sniffing, no referrer, no caching and HSTS', async () => {
    const { url } = await invite();
    const page = await fetch(url);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const html = await page.text();
    expect(html).not.toMatch(/<script/i);
  });

  it.each(PAYLOADS)('escapes %j in the customer name and the message', async (payload) => {
    const { url } = await invite({ customerName: payload, message: payload });
    const html = await (await fetch(url)).text();
    expect(html).not.toContain(payload);
    expect(html).not.toMatch(/<(script|img|svg)\b/i);
    // No tag carries an event handler: the payload stays text, never markup.
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+\s*=/i);
    expect(html).toContain(escapeHtml(payload));
  });

  it('refuses a cross-site or same-site POST with 403 and changes nothing', async () => {
    const { id, token, url } = await invite();
    const form = new URLSearchParams({ token, decision: 'accept' }).toString();
    const crossSite = await fetch(`${url.origin}/accept/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' },
      body: form,
    });
    const foreignOrigin = await fetch(`${url.origin}/accept/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
      body: form,
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('CROSS_SITE_REQUEST');
    expect(foreignOrigin.status).toBe(403);
    const sandboxed = await fetch(`${url.origin}/accept/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'null' },
      body: form,
    });
    expect(sandboxed.status).toBe(403);
    // A sibling subdomain (another tenant's page under the same site) is not our page either.
    const sameSite = await fetch(`${url.origin}/accept/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-site' },
      body: form,
    });
    expect(sameSite.status).toBe(403);
    const invitation = await t.api('GET', `/invitations/${id}`, { token: await t.partnerToken('fabrikam') });
    expect(invitation.json?.status).toBe('PENDING');
    const sameOrigin = await fetch(`${url.origin}/accept/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: url.origin, 'Sec-Fetch-Site': 'same-origin' },
      body: form,
    });
    expect(sameOrigin.status).toBe(200);
  });

  it('changes nothing however often a scanner fetches it with GET or HEAD', async () => {
    const { id, url } = await invite();
    const token = await t.partnerToken('fabrikam');
    // The email's own news (SES's simulated delivery) lands first; only the fetches are under test.
    await t.stack.emailEventsSettled();
    const before = (await t.api('GET', `/invitations/${id}`, { token })).text;
    for (let i = 0; i < 5; i++) {
      expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(`${url.origin}/accept/${id}?token=wrong`)).status).toBe(404);
    }
    expect((await t.api('GET', `/invitations/${id}`, { token })).text).toBe(before);
    expect((await fetch(url)).status).toBe(200);
  });
});
