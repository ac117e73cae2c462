/** What the emailed link and the decision form carry, and the JSON answers to them. */
import * as z from 'zod';
import { ROLE_NAMES } from '../domain/roles.js';
import { MAX_DURATION_DAYS } from '../invitations/schema.js';
import { invitationViewSchema } from '../invitations/model.js';
import { relationshipSchema } from '../relationships/model.js';

/** The link's secret; anything unusable becomes '' and so matches nothing (404, like any wrong secret). */
const secret = z.string().max(256).catch('');

/** Mail scanners and trackers append their own parameters: only `token` matters. */
export const acceptanceLinkQuery = z.object({ token: secret.default('') });

/** An empty form field means "not given". */
const blankAsMissing = (value: unknown) => (value === '' ? undefined : value);

export const decisionBody = z.strictObject({
  token: secret,
  decision: z.enum(['accept', 'decline']),
  /** The roles the admin keeps ticked (a form sends one value per ticked box). */
  roles: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.enum(ROLE_NAMES)).max(ROLE_NAMES.length)).optional(),
  /** Set by the page's form: with it, no ticked role means none (a form sends nothing for unticked boxes). */
  rolesChosen: z.literal('1').optional(),
  durationDays: z.preprocess(blankAsMissing, z.coerce.number().int().min(1).max(MAX_DURATION_DAYS).optional()),
  reason: z.preprocess(
    blankAsMissing,
    z
      .string()
      .trim()
      .max(500)
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), 'must not contain control characters')
      .optional(),
  ),
});
export type DecisionInput = z.output<typeof decisionBody>;

/** `GET /accept/{id}` with `Accept: application/json`: the request behind the link. */
export const acceptanceViewSchema = z.strictObject({ invitation: invitationViewSchema });

/** `POST /accept/{id}` with `Accept: application/json`: the closed invitation, and the relationship an acceptance created (null on decline). */
export const decisionResultSchema = z.strictObject({ invitation: invitationViewSchema, relationship: relationshipSchema.nullable() });
