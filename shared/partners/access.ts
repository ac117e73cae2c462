/**
 * A partner token is honoured only for a registered partner, on every route: the claim alone
 * (a user left in the pool after offboarding, a typo at onboarding) opens nothing.
 */
import { ForbiddenError } from '../errors.js';
import { callerOf, type AuthorizedEvent } from '../identity/caller.js';
import { getPartner } from './repository.js';
import { partnerId } from './schema.js';

/** 403 PARTNER_NOT_REGISTERED when the verified claims name a partner that is not registered; no-op for other callers. */
export async function refuseUnregisteredPartner(event: AuthorizedEvent): Promise<void> {
  if (event.requestContext.authorizer?.jwt?.claims === undefined) return;
  const caller = callerOf(event);
  if (caller?.kind !== 'partner') return;
  // An id of another shape cannot be registered (putPartner refuses it), so it is not looked up.
  const registered = partnerId.safeParse(caller.partnerId).success && (await getPartner(caller.partnerId)) !== undefined;
  if (!registered) throw new ForbiddenError('PARTNER_NOT_REGISTERED', 'The partner in this token is not registered.');
}
