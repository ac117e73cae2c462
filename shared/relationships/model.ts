/** The relationship of one partner with one customer, as stored and as shown. */
import * as z from 'zod';
import { ROLE_NAMES, isPowerRole, type Role } from '../domain/roles.js';
import { timestamp } from '../invitations/model.js';

export type RelationshipStatus = 'ACTIVE' | 'TERMINATED' | 'EXPIRED';
export const RELATIONSHIP_STATUSES = ['ACTIVE', 'TERMINATED', 'EXPIRED'] as const;

/** How much longer an auto-extending relationship runs each time it reaches its end. */
export const AUTO_EXTEND_DAYS = 180;

/**
 * Who granted a relationship: the verified customer admin who signed in (`subject` is the identity
 * provider's `sub`), or, for a read-only grant from the emailed link alone, the address it was sent to.
 */
export const acceptedBySchema = z.strictObject({ email: z.string(), subject: z.string().optional(), signedIn: z.boolean() });
export type AcceptedBy = z.output<typeof acceptedBySchema>;

/** A relationship as stored and as shown (the answer's schema). */
export const relationshipSchema = z.strictObject({
  id: z.string(),
  partnerId: z.string(),
  partnerName: z.string(),
  customerDomain: z.string(),
  customerName: z.string().optional(),
  roles: z.array(z.enum(ROLE_NAMES)).readonly(),
  status: z.enum(RELATIONSHIP_STATUSES),
  startsAt: timestamp,
  endsAt: timestamp,
  autoExtend: z.boolean(),
  invitationId: z.string(),
  acceptedBy: acceptedBySchema,
  /** What the partner asked for; `roles` is what the customer granted (a subset). */
  requestedRoles: z.array(z.enum(ROLE_NAMES)).readonly().optional(),
  terminatedAt: timestamp.optional(),
  terminatedBy: z.enum(['partner', 'customer']).optional(),
  expiredAt: timestamp.optional(),
});
export type Relationship = z.output<typeof relationshipSchema>;

/** A power role that two or more partners hold at one customer, and those partners (sorted). */
export const overlapSchema = z.strictObject({ role: z.enum(ROLE_NAMES), partnerIds: z.array(z.string()).readonly() });
export type Overlap = z.output<typeof overlapSchema>;

/** A relationship in the customer's list: `overlaps` names each power role it shares with another active partner (empty when none). */
export const customerRelationshipSchema = z.strictObject({ ...relationshipSchema.shape, overlaps: z.array(overlapSchema).readonly() });
export type CustomerRelationship = z.output<typeof customerRelationshipSchema>;

/** The status as of `at`: an active relationship past its end that will not auto-extend has expired. */
export function effectiveRelationshipStatus(relationship: Pick<Relationship, 'status' | 'endsAt' | 'autoExtend'>, at: Date): RelationshipStatus {
  return relationship.status === 'ACTIVE' && !relationship.autoExtend && relationship.endsAt <= at.toISOString()
    ? 'EXPIRED'
    : relationship.status;
}

/** Shapes a stored relationship for an API response. */
export function toRelationshipView(item: Record<string, unknown>, at: Date): Relationship {
  const r = item as unknown as Relationship;
  return {
    id: r.id,
    partnerId: r.partnerId,
    partnerName: r.partnerName,
    customerDomain: r.customerDomain,
    customerName: r.customerName,
    roles: r.roles,
    status: effectiveRelationshipStatus(r, at),
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    autoExtend: r.autoExtend,
    invitationId: r.invitationId,
    // Relationships stored before sign-in existed name the link's address as a string.
    acceptedBy: typeof item.acceptedBy === 'string' ? { email: item.acceptedBy, signedIn: false } : r.acceptedBy,
    requestedRoles: r.requestedRoles,
    terminatedAt: r.terminatedAt,
    terminatedBy: r.terminatedBy,
    expiredAt: r.expiredAt,
  };
}

/** True while a relationship is active as of `at` (the rule of `activeAsOf` in the repository's conditions). */
export const isActiveAt = (relationship: Pick<Relationship, 'status' | 'endsAt' | 'autoExtend'>, at: Date): boolean =>
  effectiveRelationshipStatus(relationship, at) === 'ACTIVE';

/**
 * The power roles that two or more partners hold through relationships active as of `at`, among
 * one customer's relationships (the catalogue's order; read-only roles never overlap).
 */
export function powerRoleOverlaps(relationships: readonly Pick<Relationship, 'partnerId' | 'roles' | 'status' | 'endsAt' | 'autoExtend'>[], at: Date): Overlap[] {
  const holders = new Map<Role, Set<string>>();
  for (const relationship of relationships) {
    if (!isActiveAt(relationship, at)) continue;
    for (const role of relationship.roles.filter(isPowerRole)) holders.set(role, (holders.get(role) ?? new Set()).add(relationship.partnerId));
  }
  return ROLE_NAMES.flatMap((role) => {
    const partnerIds = [...(holders.get(role) ?? [])].sort();
    return partnerIds.length >= 2 ? [{ role, partnerIds }] : [];
  });
}

/** The overlaps one relationship takes part in: those of `overlaps` that name its partner (who holds that role, actively). */
export function overlapsOf(relationship: Pick<Relationship, 'partnerId'>, overlaps: readonly Overlap[]): Overlap[] {
  return overlaps.filter((overlap) => overlap.partnerIds.includes(relationship.partnerId));
}
