/**
 * The catalogue of roles a partner may ask for: least-privilege admin roles in the spirit of
 * GDAP, each explained in plain words on the acceptance page. A role is read-only or it is a
 * power role (it can change something); only a signed-in customer admin grants power.
 */

export const ROLES = {
  DIRECTORY_READER: {
    readOnly: true,
    title: 'Directory reader',
    description: 'Read users, groups and basic organisation settings. Cannot change anything.',
  },
  HELPDESK_ADMIN: {
    readOnly: false,
    title: 'Helpdesk administrator',
    description: 'Reset passwords and sign-in methods of non-administrators, and manage support requests.',
  },
  USER_ADMIN: {
    readOnly: false,
    title: 'User administrator',
    description: 'Create and manage users and groups, including password resets for non-administrators.',
  },
  LICENSE_ADMIN: {
    readOnly: false,
    title: 'License administrator',
    description: 'Assign and remove product licenses for users. Cannot buy or cancel subscriptions.',
  },
  BILLING_READER: {
    readOnly: true,
    title: 'Billing reader',
    description: 'Read invoices, subscriptions and usage. Cannot pay, buy or cancel.',
  },
  SECURITY_READER: {
    readOnly: true,
    title: 'Security reader',
    description: 'Read security reports, alerts and audit logs. Cannot change security settings.',
  },
  GLOBAL_ADMIN: {
    readOnly: false,
    title: 'Global administrator',
    description: 'Full control of every setting, user and subscription of the organisation. Grant with care.',
  },
} as const satisfies Record<string, { readOnly: boolean; title: string; description: string }>;

export type Role = keyof typeof ROLES;

export const ROLE_NAMES = Object.keys(ROLES) as [Role, ...Role[]];

/** What a request asks for when the partner names no roles: read-only access to the directory. */
export const DEFAULT_ROLES: readonly Role[] = ['DIRECTORY_READER'];

/** True for a role that can change something: every role the catalogue does not mark read-only. */
export const isPowerRole = (role: Role): boolean => !ROLES[role].readOnly;

/** The power roles of the catalogue, in its order. */
export const POWER_ROLES: readonly Role[] = ROLE_NAMES.filter(isPowerRole);
