/** What a partner may send: validated, normalised and defaulted in one place. */
import * as z from 'zod';
import { DEFAULT_ROLES, ROLE_NAMES } from '../domain/roles.js';
import { isWithinDomain, normaliseDomain, normaliseEmail } from '../domain/domains.js';
import { readerText } from '../domain/text.js';
import { INVITATION_STATUSES } from './model.js';
import { DEFAULT_LOCALE, LOCALES, supportedLocale } from '../i18n/locales.js';

/** A domain name, normalised to lower-case ASCII: the shape of `customerDomain` in bodies and paths. */
export const domain = z
  .string()
  .max(253)
  .transform((value, ctx) => {
    const normalised = normaliseDomain(value);
    if (normalised === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a domain name such as contoso.com' });
      return z.NEVER;
    }
    return normalised;
  });

/** An email address, normalised (domain lower-cased, punycode). */
export const email = z
  .string()
  .max(254)
  .transform((value, ctx) => {
    const normalised = normaliseEmail(value);
    if (normalised === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an email address such as admin@contoso.com' });
      return z.NEVER;
    }
    return normalised.address;
  });

export const MAX_DURATION_DAYS = 730;

/**
 * The language of the invitation's email (and the page's fallback): a supported locale, or a
 * regional tag of one, read as its language (`de-DE`, `de-AT` → `de`).
 */
export const locale = z
  .string()
  .regex(new RegExp(`^(${LOCALES.join('|')})(-[A-Za-z0-9]{1,8}){0,3}$`), `must be one of the supported locales: ${LOCALES.join(', ')} (a regional tag such as de-DE is read as de)`)
  .transform((tag) => supportedLocale(tag) ?? DEFAULT_LOCALE);

export const createInvitationBody = z
  .strictObject({
    customerDomain: domain,
    adminEmail: email,
    customerName: readerText({ max: 200 }).optional(),
    roles: z
      .array(z.enum(ROLE_NAMES))
      .min(1)
      .max(ROLE_NAMES.length)
      .refine((roles) => new Set(roles).size === roles.length, 'must not repeat a role')
      .default([...DEFAULT_ROLES]),
    durationDays: z.number().int().min(1).max(MAX_DURATION_DAYS).default(365),
    autoExtend: z.boolean().optional(),
    locale: locale.default(DEFAULT_LOCALE),
    message: readerText({ max: 500 }).optional(),
  })
  .superRefine((body, ctx) => {
    const adminDomain = body.adminEmail.slice(body.adminEmail.lastIndexOf('@') + 1);
    if (!isWithinDomain(adminDomain, body.customerDomain)) {
      ctx.addIssue({ code: 'custom', path: ['adminEmail'], message: 'must be an address in customerDomain or one of its subdomains' });
    }
    if (body.autoExtend === true && body.roles.includes('GLOBAL_ADMIN')) {
      ctx.addIssue({ code: 'custom', path: ['autoExtend'], message: 'cannot be on when GLOBAL_ADMIN is requested' });
    }
  })
  .transform((body) => ({ ...body, autoExtend: body.autoExtend ?? !body.roles.includes('GLOBAL_ADMIN') }));

export type CreateInvitationInput = z.output<typeof createInvitationBody>;

/** `?limit=&cursor=` of every list. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
};

export const listInvitationsQuery = z.strictObject({ ...pageQuery, status: z.enum(INVITATION_STATUSES).optional() });
export type ListInvitationsQuery = z.output<typeof listInvitationsQuery>;

export const invitationIdParam = z.uuid();

/** `/invitations/{id}`: an id that is not a UUID names no invitation. */
export const invitationPathParams = z.strictObject({ id: invitationIdParam });

/** What the partner hears for an invitation that is not theirs, does not exist or cannot exist. */
export const INVITATION_NOT_FOUND = 'No invitation of yours has this id.';
