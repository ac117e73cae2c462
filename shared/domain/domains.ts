/** Domain names and admin email addresses: normalised to lower-case ASCII (punycode) and checked. */
import { domainToASCII } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Lower-cases a domain and converts an internationalised one to its ASCII (punycode) form;
 * `undefined` when it is not a usable DNS name with at least two labels.
 */
export function normaliseDomain(input: string): string | undefined {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '' || /[\s/@:]/.test(trimmed)) return undefined;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || labels.length > 10 || !labels.every((label) => LABEL.test(label))) return undefined;
  if (/^[0-9]+$/.test(labels.at(-1) ?? '')) return undefined;
  return ascii;
}

/** Splits an email address into a kept local part and a normalised domain; `undefined` when malformed. */
export function normaliseEmail(input: string): { address: string; domain: string } | undefined {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at > 64 || /[\s<>(),;:"\\\r\n\0]/.test(trimmed)) return undefined;
  const local = trimmed.slice(0, at);
  const domain = normaliseDomain(trimmed.slice(at + 1));
  if (domain === undefined || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined;
  return { address: `${local}@${domain}`, domain };
}

/** True when `domain` is `parent` itself or one of its subdomains. */
export function isWithinDomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}

/** The domain and each parent of it with at least two labels: `a.b.c.com` → `a.b.c.com`, `b.c.com`, `c.com`. */
export function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  const result: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) result.push(labels.slice(i).join('.'));
  return result;
}
