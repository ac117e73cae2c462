/**
 * The customer's policy: rules a customer admin sets in advance for every partner's request
 * (who may be asked, by whom, for what and how long, when signing in is needed, who is told).
 * One item per customer; an absent item is the default policy (no restrictions).
 */
import * as z from 'zod';
import { ROLE_NAMES } from '../domain/roles.js';
import { MAX_DURATION_DAYS, email } from '../invitations/schema.js';
import { partnerId } from '../partners/schema.js';
import { timestamp } from '../invitations/model.js';

/** When accepting needs a signed-in customer admin: for power roles only, or always. */
export const SIGN_IN_MODES = ['POWER', 'ALWAYS'] as const;
export type SignInMode = (typeof SIGN_IN_MODES)[number];

/** The most entries a policy list may hold. */
export const MAX_POLICY_LIST = 50;

const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

/** What a customer admin sends with `PUT /customer/policy`; empty lists mean "no restriction". */
export const policyBody = z.strictObject({
  approvers: z.array(email).max(MAX_POLICY_LIST).refine(distinct, 'must not repeat an address').default([]),
  allowedPartners: z.array(partnerId).max(MAX_POLICY_LIST).refine(distinct, 'must not repeat a partner').default([]),
  forbiddenRoles: z.array(z.enum(ROLE_NAMES)).max(ROLE_NAMES.length).refine(distinct, 'must not repeat a role').default([]),
  maxDurationDays: z.number().int().min(1).max(MAX_DURATION_DAYS).default(MAX_DURATION_DAYS),
  signIn: z.enum(SIGN_IN_MODES).default('POWER'),
  notify: z.array(email).max(MAX_POLICY_LIST).refine(distinct, 'must not repeat an address').default([]),
});
export type PolicyInput = z.output<typeof policyBody>;

/** The policy as stored and as shown (the answer's schema); `updatedAt`/`updatedBy` are absent until it is first set. */
export const policySchema = z.strictObject({
  customerDomain: z.string(),
  approvers: z.array(z.string()),
  allowedPartners: z.array(z.string()),
  forbiddenRoles: z.array(z.enum(ROLE_NAMES)),
  maxDurationDays: z.number().int(),
  signIn: z.enum(SIGN_IN_MODES),
  notify: z.array(z.string()),
  updatedAt: timestamp.optional(),
  updatedBy: z.string().optional(),
});
export type CustomerPolicy = z.output<typeof policySchema>;

/** The policy of a customer that has set none. */
export function defaultPolicy(customerDomain: string): CustomerPolicy {
  return { customerDomain, approvers: [], allowedPartners: [], forbiddenRoles: [], maxDurationDays: MAX_DURATION_DAYS, signIn: 'POWER', notify: [] };
}
