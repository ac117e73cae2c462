/** What the emailed link and the decision form carry. */
import * as z from 'zod';

/** The link's secret; anything unusable becomes '' and so matches nothing (404, like any wrong secret). */
const secret = z.string().max(256).catch('');

/** Mail scanners and trackers append their own parameters: only `token` matters. */
export const acceptanceLinkQuery = z.object({ token: secret.default('') });

export const decisionBody = z.strictObject({ token: secret, decision: z.enum(['accept', 'decline']) });
