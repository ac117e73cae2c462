/** The relationship of one partner with one customer, as stored and as shown. */
import type { Role } from '../domain/roles.js';

export type RelationshipStatus = 'ACTIVE' | 'TERMINATED' | 'EXPIRED';
export const RELATIONSHIP_STATUSES = ['ACTIVE', 'TERMINATED', 'EXPIRED'] as const;

/** How much longer an auto-extending relationship runs each time it reaches its end. */
export const AUTO_EXTEND_DAYS = 180;

export interface Relationship {
  readonly id: string;
  readonly partnerId: string;
  readonly partnerName: string;
  readonly customerDomain: string;
  readonly customerName?: string;
  readonly roles: readonly Role[];
  readonly status: RelationshipStatus;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly autoExtend: boolean;
  readonly invitationId: string;
  readonly acceptedBy: string;
  /** What the partner asked for; `roles` is what the customer granted (a subset). */
  readonly requestedRoles?: readonly Role[];
  readonly terminatedAt?: string;
  readonly terminatedBy?: 'partner' | 'customer';
  readonly expiredAt?: string;
}

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
    acceptedBy: r.acceptedBy,
    requestedRoles: r.requestedRoles,
    terminatedAt: r.terminatedAt,
    terminatedBy: r.terminatedBy,
    expiredAt: r.expiredAt,
  };
}
