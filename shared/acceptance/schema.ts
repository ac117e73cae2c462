/** What the emailed link and the decision form carry, and the JSON answers to them. */
import * as z from 'zod';
import { ROLE_NAMES } from '../domain/roles.js';
import { invitationIdParam, MAX_DURATION_DAYS } from '../invitations/schema.js';
import { invitationViewSchema } from '../invitations/model.js';
import { relationshipSchema } from '../relationships/model.js';
import { readerText } from '../domain/text.js';

/** What the emailed link's page says for an id or secret that matches nothing (a cut-off link, most often). */
export const LINK_NOT_FOUND = 'This link is not valid. Check that you opened the whole link from the email.';

/** `/accept/{id}`: the invitation's id, a UUID. */
export const acceptancePathParams = z.strictObject({ id: invitationIdParam });

/** The link's secret; anything unusable becomes '' and so matches nothing (404, like any wrong secret). */
const secret = z.string().max(256).catch('');

/** Mail scanners and trackers append their own parameters: only `token` matters. */
export const acceptanceLinkQuery = z.object({ token: secret.default('') });

/** An empty form field means "not given". */
const blankAsMissing = (value: unknown) => (value === '' ? undefined : value);

/** `POST /accept/{id}/sign-in`: the link's secret (none when a session of this invitation signs in again as someone else). */
export const signInBody = z.strictObject({ token: secret, signIn: z.literal('1').optional() });

/** `GET /accept/callback`: what the identity provider sends back (an authorization response, or an error). */
const callbackParam = z.string().max(2048).optional();
export const signInCallbackQuery = z.object({
  code: callbackParam,
  state: callbackParam,
  iss: callbackParam,
  error: callbackParam,
  error_description: callbackParam,
});

export const decisionBody = z.strictObject({
  token: secret,
  decision: z.enum(['accept', 'decline']),
  /** The roles the admin keeps ticked (a form sends one value per ticked box). */
  roles: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.enum(ROLE_NAMES)).max(ROLE_NAMES.length)).optional(),
  /** Set by the page's form: with it, no ticked role means none (a form sends nothing for unticked boxes). */
  rolesChosen: z.literal('1').optional(),
  durationDays: z.preprocess(blankAsMissing, z.coerce.number().int().min(1).max(MAX_DURATION_DAYS).optional()),
  reason: z.preprocess(blankAsMissing, readerText({ max: 500, min: 0, lineBreaks: true }).optional()),
});
export type DecisionInput = z.output<typeof decisionBody>;

/** `GET /accept/{id}` with `Accept: application/json`: the request behind the link. */
export const acceptanceViewSchema = z.strictObject({ invitation: invitationViewSchema });

/** `POST /accept/{id}` with `Accept: application/json`: the closed invitation, and the relationship an acceptance created (null on decline). */
export const decisionResultSchema = z.strictObject({ invitation: invitationViewSchema, relationship: relationshipSchema.nullable() });
