/**
 * The catalogue of roles a partner may ask for: least-privilege admin roles in the spirit of
 * GDAP, each explained in plain words on the acceptance page (its title and description in
 * every language are in the message catalogue, `shared/i18n`). A role is read-only or it is a
 * power role (it can change something); only a signed-in customer admin grants power.
 */

export const ROLES = {
  DIRECTORY_READER: { readOnly: true },
  HELPDESK_ADMIN: { readOnly: false },
  USER_ADMIN: { readOnly: false },
  LICENSE_ADMIN: { readOnly: false },
  BILLING_READER: { readOnly: true },
  SECURITY_READER: { readOnly: true },
  GLOBAL_ADMIN: { readOnly: false },
} as const satisfies Record<string, { readOnly: boolean }>;

export type Role = keyof typeof ROLES;

export const ROLE_NAMES = Object.keys(ROLES) as [Role, ...Role[]];

/** What a request asks for when the partner names no roles: read-only access to the directory. */
export const DEFAULT_ROLES: readonly Role[] = ['DIRECTORY_READER'];

/** True for a role that can change something: every role the catalogue does not mark read-only. */
export const isPowerRole = (role: Role): boolean => !ROLES[role].readOnly;

/** The power roles of the catalogue, in its order. */
export const POWER_ROLES: readonly Role[] = ROLE_NAMES.filter(isPowerRole);
