/**
 * A partner token is honoured only for a registered partner, on every route: the claim alone
 * (a user left in the pool after offboarding, a typo at onboarding) opens nothing.
 */
import { ForbiddenError } from '../errors.js';
import { callerOf, type AuthorizedEvent } from '../identity/caller.js';
import { getPartner } from './repository.js';

/** What a partner id can look like; anything else cannot be registered and is not looked up. */
export const PARTNER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** 403 PARTNER_NOT_REGISTERED when the verified claims name a partner that is not registered; no-op for other callers. */
export async function refuseUnregisteredPartner(event: AuthorizedEvent): Promise<void> {
  if (event.requestContext.authorizer?.jwt?.claims === undefined) return;
  const caller = callerOf(event);
  if (caller?.kind !== 'partner') return;
  const registered = PARTNER_ID_PATTERN.test(caller.partnerId) && (await getPartner(caller.partnerId)) !== undefined;
  if (!registered) throw new ForbiddenError('PARTNER_NOT_REGISTERED', 'The partner in this token is not registered.');
}
