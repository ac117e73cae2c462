/** Languages over HTTP: the email in the invitation's locale, the page in the visitor's, and the locales a partner may ask for. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueDomain } from '../support/environment.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { emailsTo, newestLinkFor } from '../support/mail.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t.stop();
});

async function invite(customer: string, extra: Record<string, unknown>) {
  return t.api('POST', '/invitations', { token: await t.partnerToken('fabrikam'), body: { customerDomain: customer, adminEmail: `admin@${customer}`, ...extra } });
}

describe('languages', () => {
  it('emails an invitation created with locale "de" in German, subject included, and stores the locale', async () => {
    // Prepare
    const customer = uniqueDomain();
    // Act
    const created = await invite(customer, { locale: 'de-DE', roles: ['USER_ADMIN'], durationDays: 30 });
    // Assess
    expect(created.status).toBe(201);
    expect(created.json?.locale).toBe('de');
    const [email] = await emailsTo(`admin@${customer}`);
    expect(email?.subject).toMatch(/^Fabrikam.* bittet um Administratorzugriff auf /);
    expect(email?.body.text).toContain('30 Tage');
    expect(email?.body.text).toContain('Benutzeradministrator');
    expect(email?.body.html).toContain('<html lang="de" dir="ltr">');
  });

  it('shows the page in Japanese to a visitor who asks for it, with lang="ja", Content-Language and Vary', async () => {
    // Prepare
    const customer = uniqueDomain();
    const created = await invite(customer, { locale: 'de' });
    const link = await newestLinkFor(`admin@${customer}`, String(created.json?.id));
    // Act
    const page = await t.api('GET', `${link.url.pathname}${link.url.search}`, { headers: { 'accept-language': 'ja-JP, en;q=0.5' } });
    const fallback = await t.api('GET', `${link.url.pathname}${link.url.search}`, { headers: { 'accept-language': 'pt-BR' } });
    // Assess
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="ja" dir="ltr">');
    expect(page.text).toContain('管理者アクセスを求めています');
    expect(page.headers.get('content-language')).toBe('ja');
    expect(page.headers.get('vary')).toBe('Accept-Language');
    // A visitor whose languages we do not write reads the invitation's.
    expect(fallback.text).toContain('<html lang="de" dir="ltr">');
    expect(fallback.headers.get('content-language')).toBe('de');
  });

  it('shows a refused link in the visitor’s language, else the invitation’s, and an unknown link in English', async () => {
    // Prepare
    const customer = uniqueDomain();
    const created = await invite(customer, { locale: 'fr' });
    const id = String(created.json?.id);
    const link = await newestLinkFor(`admin@${customer}`, id);
    expect((await t.api('DELETE', `/invitations/${id}`, { token: await t.partnerToken('fabrikam') })).status).toBeLessThan(300);
    // Act
    const french = await t.api('GET', `${link.url.pathname}${link.url.search}`);
    const spanish = await t.api('GET', `${link.url.pathname}${link.url.search}`, { headers: { 'accept-language': 'es' } });
    const unknown = await t.api('GET', `/accept/${crypto.randomUUID()}?token=nothing`);
    // Assess
    expect(french.text).toContain('<html lang="fr" dir="ltr">');
    expect(french.text).toContain('Cette demande a été retirée');
    expect(spanish.text).toContain('Esta solicitud se ha retirado');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('<html lang="en" dir="ltr">');
    expect(unknown.headers.get('content-language')).toBe('en');
  });

  it('refuses an unsupported locale with 400, listing the supported ones', async () => {
    // Act
    const refused = await invite(uniqueDomain(), { locale: 'pt-BR' });
    // Assess
    expect(refused.status).toBe(400);
    expect(refused.json?.code).toBe('VALIDATION_FAILED');
    expect(refused.json?.errors).toEqual([{ path: 'locale', message: expect.stringContaining('en, de, ru, fr, es, ja') }]);
  });
});
