import { describe, expect, it } from 'vitest';
import { createInvitationBody } from '../../shared/invitations/schema.js';

const parse = (body: unknown) => createInvitationBody.safeParse(body);

describe('what a partner may send to create an invitation', () => {
  it('needs only the customer domain and the admin email, and fills in least-privilege defaults', () => {
    const result = parse({ customerDomain: 'Contoso.com', adminEmail: 'admin@contoso.com' });
    expect(result.success && result.data).toEqual({
      customerDomain: 'contoso.com',
      adminEmail: 'admin@contoso.com',
      roles: ['DIRECTORY_READER'],
      durationDays: 365,
      autoExtend: true,
      locale: 'en',
    });
  });

  it('accepts an admin in a subdomain of the customer', () => {
    expect(parse({ customerDomain: 'contoso.com', adminEmail: 'it@eu.contoso.com' }).success).toBe(true);
  });

  it('refuses an admin mailbox outside the customer domain', () => {
    const result = parse({ customerDomain: 'contoso.com', adminEmail: 'admin@gmail.com' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['adminEmail']);
  });

  it('refuses unknown fields, unknown roles, repeated roles and durations past 730 days', () => {
    const base = { customerDomain: 'contoso.com', adminEmail: 'admin@contoso.com' };
    expect(parse({ ...base, partnerId: 'someone-else' }).success).toBe(false);
    expect(parse({ ...base, roles: ['ROOT'] }).success).toBe(false);
    expect(parse({ ...base, roles: ['USER_ADMIN', 'USER_ADMIN'] }).success).toBe(false);
    expect(parse({ ...base, durationDays: 731 }).success).toBe(false);
    expect(parse({ ...base, durationDays: 0 }).success).toBe(false);
  });

  it('refuses control characters in names and messages, and messages over 500 characters', () => {
    const base = { customerDomain: 'contoso.com', adminEmail: 'admin@contoso.com' };
    expect(parse({ ...base, customerName: 'Contoso\r\nBcc: x@evil.io' }).success).toBe(false);
    expect(parse({ ...base, message: 'x'.repeat(501) }).success).toBe(false);
  });

  it('does not auto-extend global admin access, and refuses to be asked to', () => {
    const base = { customerDomain: 'contoso.com', adminEmail: 'admin@contoso.com', roles: ['GLOBAL_ADMIN'] };
    const defaulted = parse(base);
    expect(defaulted.success && defaulted.data.autoExtend).toBe(false);
    expect(parse({ ...base, autoExtend: true }).success).toBe(false);
  });
});

describe('the locale of an invitation', () => {
  const base = { customerDomain: 'contoso.com', adminEmail: 'admin@contoso.com' };

  it('takes each supported locale, and reads a regional tag as its language', () => {
    for (const locale of ['en', 'de', 'ru', 'fr', 'es', 'ja']) expect(parse({ ...base, locale }).data?.locale).toBe(locale);
    expect(parse({ ...base, locale: 'de-DE' }).data?.locale).toBe('de');
    expect(parse({ ...base, locale: 'es-419' }).data?.locale).toBe('es');
    expect(parse({ ...base, locale: 'ja-JP' }).data?.locale).toBe('ja');
  });

  it('refuses any other language, naming the supported ones', () => {
    for (const locale of ['pt', 'pt-BR', 'DE', 'english', 'zz-ZZZZZZZZZ', '']) {
      const result = parse({ ...base, locale });
      expect(result.success, locale).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('en, de, ru, fr, es, ja');
    }
  });
});
