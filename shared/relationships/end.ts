/** Ending the relationship of one partner with one customer, by either side. */
import * as z from 'zod';
import { now } from '../clock.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { putAudit } from '../audit/repository.js';
import { countMetric } from '../metrics.js';
import { logger } from '../log.js';
import { notifyEnded } from '../notices/service.js';
import type { Caller } from '../identity/caller.js';
import { domain } from '../invitations/schema.js';
import { partnerId } from '../partners/schema.js';
import { effectiveRelationshipStatus, toRelationshipView, type Relationship } from './model.js';
import { findRelationship, terminateRelationship } from './repository.js';

/** `/relationships/{customerDomain}` (the partner's side) or `/customer/relationships/{partnerId}` (the customer's). */
export const relationshipPathParams = z.union([z.strictObject({ customerDomain: domain }), z.strictObject({ partnerId })]);

/** What either side hears for a relationship that does not exist or cannot exist. */
export const RELATIONSHIP_NOT_FOUND = 'There is no relationship between this partner and this customer.';

/**
 * Ends the relationship of one partner with one customer, by either side (`by`, the caller, is
 * the audit record's actor). Every other relationship of either party is a different item and
 * stays as it is.
 */
export async function endRelationship(
  partnerId: string,
  customerDomain: string,
  by: Caller,
): Promise<Relationship> {
  const at = now();
  const audit = putAudit({
    type: 'RelationshipTerminated',
    at: at.toISOString(),
    actor: by,
    partnerId,
    customerDomain,
    details: { terminatedBy: by.kind },
  });
  const refused = await terminateRelationship(partnerId, customerDomain, by.kind, at.toISOString(), audit);
  if (refused === undefined) {
    countMetric('RelationshipsTerminated');
    logger.info('Relationship terminated', { partnerId, by: by.kind });
    const ended = await findRelationship(partnerId, customerDomain);
    if (ended === undefined) throw new Error('A terminated relationship vanished');
    const view = toRelationshipView(ended, at);
    await notifyEnded(view, by);
    return view;
  }
  if (refused.current === undefined) throw new NotFoundError(RELATIONSHIP_NOT_FOUND);
  const status = effectiveRelationshipStatus(refused.current as unknown as Relationship, at);
  throw new ConflictError('NOT_ACTIVE', `This relationship is ${status.toLowerCase()}, not active.`);
}
