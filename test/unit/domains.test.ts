import { describe, expect, it } from 'vitest';
import { domainAndParents, isWithinDomain, normaliseDomain, normaliseEmail } from '../../shared/domain/domains.js';

describe('domain names', () => {
  it('lower-cases domains and stores internationalised ones in punycode', () => {
    expect(normaliseDomain('Contoso.COM')).toBe('contoso.com');
    expect(normaliseDomain('bücher.de')).toBe('xn--bcher-kva.de');
    expect(normaliseDomain('contoso.com.')).toBe('contoso.com');
  });

  it.each(['localhost', 'contoso', '-bad.com', 'a..com', 'admin@contoso.com', 'contoso.com/x', '127.0.0.1', 'a b.com', ''])(
    'refuses %j as a customer domain',
    (input) => {
      expect(normaliseDomain(input)).toBeUndefined();
    },
  );

  it('accepts an admin mailbox in the domain or a subdomain, and nowhere else', () => {
    expect(isWithinDomain('contoso.com', 'contoso.com')).toBe(true);
    expect(isWithinDomain('eu.contoso.com', 'contoso.com')).toBe(true);
    expect(isWithinDomain('notcontoso.com', 'contoso.com')).toBe(false);
    expect(isWithinDomain('contoso.com.evil.io', 'contoso.com')).toBe(false);
  });

  it('normalises the domain of an email address and keeps its local part', () => {
    expect(normaliseEmail(' Admin@Contoso.COM ')).toEqual({ address: 'Admin@contoso.com', domain: 'contoso.com' });
    expect(normaliseEmail('admin@contoso.com\r\nBcc: x@evil.io')).toBeUndefined();
    expect(normaliseEmail('no-at-sign')).toBeUndefined();
  });

  it('lists a domain and each of its parents down to two labels', () => {
    expect(domainAndParents('a.eu.contoso.com')).toEqual(['a.eu.contoso.com', 'eu.contoso.com', 'contoso.com']);
  });
});
