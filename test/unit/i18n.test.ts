import { describe, expect, it } from 'vitest';
import { CATALOGUE, formatDays, formatTime, PAGE_PROBLEMS, recordKeyReads } from '../../shared/i18n/catalogue.js';
import { LOCALES, negotiateLocale, type Locale } from '../../shared/i18n/locales.js';
import type { Invitation } from '../../shared/invitations/model.js';
import { toView } from '../../shared/invitations/model.js';
import { invitationEmail } from '../../shared/mail/invitation-email.js';
import type { EmailContent } from '../../shared/mail/invitation-email.js';
import {
  endedNotice,
  endingNotice,
  expiredNotice,
  grantedNotice,
  partnerAcceptedNotice,
  partnerDeclinedNotice,
  partnerEmailBouncedNotice,
  partnerEndedNotice,
  partnerEndingNotice,
  partnerExpiredNotice,
} from '../../shared/notices/emails.js';
import { decisionPage, problemPage, requestPage, signInNeededPage } from '../../shared/pages/acceptance.js';
import type { Relationship } from '../../shared/relationships/model.js';
import type { Problem } from '../../shared/http/problem.js';
import { ConflictError } from '../../shared/errors.js';
import { relationshipFixture } from '../support/unit.js';

// Every value carries markup and quotes: escaping must hold in every language.
const EVIL = '<b>"x"</b>&';

const invitation = (overrides: Partial<Invitation> = {}): Invitation => ({
  id: '5b3f0d7e-2f7a-4c69-9a0e-3d1f7f1c2b11',
  partnerId: 'fabrikam',
  partnerName: `Fabrikam ${EVIL}`,
  customerDomain: 'contoso.com',
  customerName: `Contoso ${EVIL}`,
  adminEmail: 'admin@contoso.com',
  roles: ['USER_ADMIN', 'GLOBAL_ADMIN', 'BILLING_READER'],
  durationDays: 90,
  autoExtend: false,
  locale: 'en',
  message: `Hello ${EVIL}`,
  status: 'PENDING',
  createdAt: '2026-11-24T10:00:00.000Z',
  expiresAt: '2027-02-22T10:00:00.000Z',
  tokenHash: 'x',
  email: { status: 'QUEUED', at: '2026-11-24T10:00:00.000Z' },
  ...overrides,
});

const relationship = (overrides: Partial<Relationship> = {}): Relationship =>
  relationshipFixture({ partnerName: `Fabrikam ${EVIL}`, roles: ['USER_ADMIN', 'BILLING_READER'], ...overrides });

const problem = (code: string): Problem => ({ type: `urn:x:${code}`, title: 'English title', status: 409, detail: 'English detail', code });
const AT = new Date('2026-11-25T00:00:00.000Z');

const bounced = { invitationId: 'inv-1', partnerId: 'fabrikam', customerDomain: 'contoso.com', adminEmail: `bounce${EVIL}@contoso.com` };

/** Every email in every variant, in one locale. */
function allEmails(locale: Locale): Record<string, EmailContent> {
  const link = 'https://partners.example.test/accept/id?token=secret';
  const names = new Map([['fabrikam', `Fabrikam ${EVIL}`], ['tailspin', 'Tailspin']]);
  return {
    invitation: invitationEmail(invitation({ locale }), link),
    invitationResent: invitationEmail(invitation({ locale, autoExtend: true, message: undefined }), link, { replacesEarlier: true }),
    invitationReminder: invitationEmail(invitation({ locale }), link, { replacesEarlier: true, reminder: true }),
    grantedSignedIn: grantedNotice(relationship(), [], names, locale),
    grantedByLinkExtendedOverlap: grantedNotice(relationship({ autoExtend: true, acceptedBy: { email: 'a@contoso.com', signedIn: false } }), [{ role: 'USER_ADMIN', partnerIds: ['fabrikam', 'tailspin'] }], names, locale),
    endedByPartner: endedNotice(relationship({ terminatedAt: '2026-01-15T00:00:00.000Z' }), { kind: 'partner', partnerId: 'fabrikam' } as never, locale),
    endedByCustomer: endedNotice(relationship(), { kind: 'customer', customerDomain: 'contoso.com' } as never, locale),
    expired: expiredNotice(relationship(), locale),
    expiredUnnamed: expiredNotice({ partnerId: 'fabrikam', customerDomain: 'contoso.com', endsAt: '2026-02-01T00:00:00.000Z' }, locale),
    partnerAccepted: partnerAcceptedNotice(relationship({ requestedRoles: ['USER_ADMIN', 'BILLING_READER'] }), `Fabrikam ${EVIL}`, locale),
    partnerAcceptedPartlyByLink: partnerAcceptedNotice(
      relationship({ roles: ['BILLING_READER'], requestedRoles: ['USER_ADMIN', 'BILLING_READER'], autoExtend: true, acceptedBy: { email: 'a@contoso.com', signedIn: false } }),
      `Fabrikam ${EVIL}`,
      locale,
    ),
    partnerDeclined: partnerDeclinedNotice(invitation(), undefined, `Fabrikam ${EVIL}`, locale),
    partnerDeclinedWithReason: partnerDeclinedNotice(invitation(), `Not now ${EVIL}`, `Fabrikam ${EVIL}`, locale),
    partnerExpired: partnerExpiredNotice(invitation(), `Fabrikam ${EVIL}`, locale),
    partnerEnded: partnerEndedNotice(relationship({ terminatedAt: '2026-01-15T00:00:00.000Z' }), `Fabrikam ${EVIL}`, locale),
    partnerBouncedPermanent: partnerEmailBouncedNotice(bounced, 'BOUNCED', 'Permanent', `Fabrikam ${EVIL}`, locale),
    partnerBouncedTransient: partnerEmailBouncedNotice(bounced, 'BOUNCED', 'Transient', `Fabrikam ${EVIL}`, locale),
    partnerComplained: partnerEmailBouncedNotice(bounced, 'COMPLAINED', undefined, `Fabrikam ${EVIL}`, locale),
    ending30: endingNotice(relationship(), 30, locale),
    ending1Unnamed: endingNotice({ partnerId: 'fabrikam', customerDomain: 'contoso.com', endsAt: '2026-02-01T00:00:00.000Z' }, 1, locale),
    partnerEnding7: partnerEndingNotice(relationship(), 7, `Fabrikam ${EVIL}`, locale),
  };
}

/** Every page in every variant, in one locale (the visitor asks for it). */
function allPages(locale: Locale): Record<string, string> {
  const view = (overrides: Partial<Invitation>, signInNeeded: 'POWER' | 'ALWAYS' | undefined, signedIn: 'no' | 'yes' | 'elsewhere' = 'no') => ({
    invitation: invitation(overrides),
    signedInAs: signedIn === 'no' ? undefined : signedIn === 'yes' ? { email: 'admin@contoso.com', sub: 's', customerDomain: 'contoso.com' } : { email: 'admin@elsewhere.example', sub: 's', customerDomain: 'elsewhere.example' },
    signInNeeded,
    wrongAccount: signedIn === 'elsewhere',
  });
  const headers = { 'accept-language': locale };
  const pages: Record<string, string> = {
    requestPowerMany: requestPage(view({}, 'POWER'), 'secret', locale),
    requestPowerOne: requestPage(view({ roles: ['USER_ADMIN'], autoExtend: true }, 'POWER'), 'secret', locale),
    requestAlways: requestPage(view({ roles: ['DIRECTORY_READER', 'SECURITY_READER', 'HELPDESK_ADMIN', 'LICENSE_ADMIN'], message: undefined }, 'ALWAYS'), '', locale),
    requestSignedIn: requestPage(view({}, 'POWER', 'yes'), '', locale),
    requestSignedInElsewhere: requestPage(view({}, 'POWER', 'elsewhere'), '', locale),
    declined: decisionPage({ invitation: toView(invitation({ status: 'DECLINED' }), AT), relationship: null }, locale),
    declinedWithReason: decisionPage({ invitation: toView(invitation({ status: 'DECLINED', declineReason: EVIL }), AT), relationship: null }, locale),
    accepted: decisionPage({ invitation: toView(invitation(), AT), relationship: relationship() }, locale),
    acceptedExtended: decisionPage({ invitation: toView(invitation(), AT), relationship: relationship({ autoExtend: true }) }, locale),
    signInRequired: signInNeededPage(problem('SIGN_IN_REQUIRED'), 'id', 'secret', locale),
    wrongAccount: signInNeededPage(problem('WRONG_ACCOUNT'), 'id', 'secret', locale),
  };
  for (const code of [...PAGE_PROBLEMS, 'SOMETHING_NEW']) pages[`problem ${code}`] = problemPage(problem(code), { headers, error: undefined }).body;
  return pages;
}

/** The dotted keys of a catalogue: plural forms and functions are single keys. */
function keysOf(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, entry]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof entry === 'object' && entry !== null && !('other' in entry)) return keysOf(entry as object, path);
    return [path];
  });
}

const MARKERS = /undefined|\[object|NaN|\$\{|\{\w+\}|#/;

/** What a reader sees: without the style sheet and style attributes (whose colours carry `#`). */
const visible = (body: string) => body.replaceAll(/<style>.*?<\/style>|style="[^"]*"/gs, '').replaceAll(EVIL, '');

describe('the message catalogue', () => {
  it('has every key of English in every language, and no other', () => {
    const english = keysOf(CATALOGUE.en).sort();
    for (const locale of LOCALES) expect(keysOf(CATALOGUE[locale]).sort(), locale).toEqual(english);
  });

  it('uses every key of every language when every email and page is rendered in it', () => {
    const read = new Map<Locale, Set<string>>(LOCALES.map((locale) => [locale, new Set()]));
    const stop = recordKeyReads((locale, key) => read.get(locale)?.add(key));
    try {
      for (const locale of LOCALES) {
        allEmails(locale);
        allPages(locale);
      }
    } finally {
      stop();
    }
    for (const locale of LOCALES) {
      const unused = keysOf(CATALOGUE[locale]).filter((key) => !read.get(locale)?.has(key));
      expect(unused, `unused in ${locale}`).toEqual([]);
    }
  });

  describe.each(LOCALES.filter((locale) => locale !== 'en'))('in %s', (locale) => {
    const english = { emails: allEmails('en'), pages: allPages('en') };
    const emails = allEmails(locale);
    const pages = allPages(locale);

    it('writes every email: its own subject and bodies, lang and dir set, no missing-key markers, every value escaped', () => {
      for (const [name, email] of Object.entries(emails)) {
        const original = english.emails[name]!;
        expect(email.subject, name).not.toBe(original.subject);
        expect(email.text, name).not.toBe(original.text);
        expect(email.html, name).toContain(`<html lang="${locale}" dir="ltr">`);
        for (const body of [email.subject, email.text, email.html]) expect(visible(body), name).not.toMatch(MARKERS);
        expect(email.html, name).not.toContain('<b>');
        // The English sentences are gone; only values remain.
        expect(email.text, name).not.toMatch(/ asks for | was granted | has ended| has expired|Roles requested|Opening the link| your request|expired unanswered|ended your admin access|contact address/);
      }
    });

    it('writes every page: its own words, lang and dir set, no missing-key markers, every value escaped', () => {
      for (const [name, page] of Object.entries(pages)) {
        expect(page, name).not.toBe(english.pages[name]);
        expect(page, name).toContain(`<html lang="${locale}" dir="ltr">`);
        expect(visible(page), name).not.toMatch(MARKERS);
        expect(page, name).not.toContain('<b>');
        expect(page, name).not.toMatch(/asks for admin access|Sign in to accept|This link is not valid|Something went wrong|Roles requested/);
      }
    });
  });

  it('escapes values in English too, and writes the English lang', () => {
    for (const page of Object.values(allPages('en'))) {
      expect(page).toContain('<html lang="en" dir="ltr">');
      expect(page).not.toContain('<b>');
    }
    for (const [name, email] of Object.entries(allEmails('en'))) {
      expect(email.html, name).toContain('<html lang="en" dir="ltr">');
      expect(email.html, name).not.toContain('<b>');
      expect(visible(email.text), name).not.toMatch(MARKERS);
    }
  });
});

describe('plurals and dates through Intl', () => {
  it('counts days with each language’s plural rules', () => {
    expect([1, 2, 5, 21, 22, 25].map((n) => formatDays(n, 'ru'))).toEqual(['1 день', '2 дня', '5 дней', '21 день', '22 дня', '25 дней']);
    expect([1, 90].map((n) => formatDays(n, 'en'))).toEqual(['1 day', '90 days']);
    expect([1, 90].map((n) => formatDays(n, 'de'))).toEqual(['1 Tag', '90 Tage']);
    expect([1, 90].map((n) => formatDays(n, 'ja'))).toEqual(['1日間', '90日間']);
  });

  it('writes times the way each language does', () => {
    const iso = '2026-11-24T22:04:59.999Z';
    expect(formatTime(iso, 'en')).toBe('24 November 2026, 22:04 UTC');
    expect(formatTime(iso, 'de')).toBe('24. November 2026, 22:04 Uhr UTC');
    expect(formatTime(iso, 'ja')).toBe('2026年11月24日 22:04（UTC）');
    expect(formatTime(iso, 'ru')).toContain('24 ноября 2026');
    expect(formatTime(iso, 'fr')).toBe('24 novembre 2026 à 22:04 UTC');
    expect(formatTime('2026-02-01T09:30:00.000Z', 'fr')).toBe('1er février 2026 à 09:30 UTC');
    expect(formatTime(iso, 'es')).toContain('24 de noviembre de 2026');
  });
});

describe('each language’s punctuation', () => {
  it('labels a role and runs a list together as the language punctuates them', () => {
    const view = { invitation: invitation({ message: undefined }), signedInAs: undefined, signInNeeded: 'POWER' as const, wrongAccount: false };
    const email = (locale: Locale) => invitationEmail(invitation({ locale, message: undefined }), 'https://partners.example.test/accept/id?token=secret').text;
    const page = (locale: Locale) => requestPage(view, 'secret', locale);
    expect(email('en')).toContain(`  - ${CATALOGUE.en.roles.USER_ADMIN.title}: ${CATALOGUE.en.roles.USER_ADMIN.description}`);
    expect(email('ja')).toContain(`  - ${CATALOGUE.ja.roles.USER_ADMIN.title}：${CATALOGUE.ja.roles.USER_ADMIN.description}`);
    expect(email('fr')).toContain(`  - ${CATALOGUE.fr.roles.USER_ADMIN.title}\u00a0: ${CATALOGUE.fr.roles.USER_ADMIN.description}`);
    expect(page('ja')).toContain(`${CATALOGUE.ja.roles.USER_ADMIN.title}、${CATALOGUE.ja.roles.GLOBAL_ADMIN.title}`);
    expect(page('en')).toContain(`${CATALOGUE.en.roles.USER_ADMIN.title}, ${CATALOGUE.en.roles.GLOBAL_ADMIN.title}`);
  });
});

describe('the page language', () => {
  it('follows Accept-Language by q-value, then header order; regional tags count as their language', () => {
    expect(negotiateLocale('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5', 'en')).toBe('fr');
    expect(negotiateLocale('en;q=0.5, ja;q=0.8', 'de')).toBe('ja');
    expect(negotiateLocale('pt-BR, ru;q=0.3', 'en')).toBe('ru');
    expect(negotiateLocale('de;q=0, es', 'en')).toBe('es');
    expect(negotiateLocale('ES-mx', 'en')).toBe('es');
  });

  it('falls back to the invitation’s locale when the visitor names none we write (or only *)', () => {
    expect(negotiateLocale(undefined, 'de')).toBe('de');
    expect(negotiateLocale('', 'ja')).toBe('ja');
    expect(negotiateLocale('pt-BR, zh;q=0.9', 'ru')).toBe('ru');
    expect(negotiateLocale('*', 'fr')).toBe('fr');
    expect(negotiateLocale('en;q=abc, ja;q=2', 'es')).toBe('es');
  });

  it('gives a refusal about an invitation in the invitation’s locale when the visitor names none, and says so in its headers', () => {
    const error = new ConflictError('ALREADY_ACCEPTED', 'x');
    error.locale = 'de';
    const page = problemPage(problem('ALREADY_ACCEPTED'), { headers: {}, error });
    expect(page.body).toContain('<html lang="de" dir="ltr">');
    expect(page.body).toContain('bereits angenommen');
    expect(page.headers).toEqual({ 'Content-Language': 'de', Vary: 'Accept-Language' });
    const visitor = problemPage(problem('ALREADY_ACCEPTED'), { headers: { 'accept-language': 'ja' }, error });
    expect(visitor.headers['Content-Language']).toBe('ja');
    expect(problemPage(problem('NOT_FOUND'), { headers: {}, error: undefined }).headers['Content-Language']).toBe('en');
  });
});
