/** The partner's view of its customers. */
import { now } from '../clock.js';
import * as z from 'zod';
import { pageQuery } from '../invitations/schema.js';
import { RELATIONSHIP_STATUSES, toRelationshipView, type Relationship } from './model.js';
import { queryPartnerRelationships, type Page } from './repository.js';

export const listRelationshipsQuery = z.strictObject({ ...pageQuery, status: z.enum(RELATIONSHIP_STATUSES).optional() });
export type ListRelationshipsQuery = z.output<typeof listRelationshipsQuery>;

/** A page of the partner's relationships, with each status as of now. */
export async function listRelationships(partnerId: string, query: ListRelationshipsQuery): Promise<Page<Relationship>> {
  const at = now();
  const page = await queryPartnerRelationships(partnerId, { ...query, at: at.toISOString() });
  return { items: page.items.map((item) => toRelationshipView(item, at)), nextCursor: page.nextCursor };
}
