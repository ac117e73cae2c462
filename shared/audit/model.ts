/**
 * The audit trail: one record per transition, written in the same transaction as the change.
 * Audit records are also the outbox the event publisher reads from the table's stream.
 */
import type { Caller } from '../identity/caller.js';

export const AUDIT_EVENT_TYPES = [
  'InvitationCreated',
  'InvitationResent',
  'InvitationCanceled',
  'InvitationAccepted',
  'InvitationDeclined',
  'InvitationExpired',
  'RelationshipExtended',
  'RelationshipExpired',
  'RelationshipTerminated',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Who made a transition happen: a caller as its token names it, the customer admin through the emailed link, or the system. */
export type Actor =
  | Caller
  | { readonly kind: 'customer'; readonly customerDomain: string; readonly email?: string }
  | { readonly kind: 'system' };

export interface AuditEvent {
  readonly id: string;
  readonly type: AuditEventType;
  readonly at: string;
  readonly actor: Actor;
  readonly partnerId: string;
  readonly customerDomain: string;
  readonly invitationId?: string;
  readonly relationshipId?: string;
  /** What changed, in the terms of the transition: roles granted, reason given, new end, ... */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** How long audit records are kept at least; TTL removes them afterwards. */
export const AUDIT_RETENTION_DAYS = 400;

/** `InvitationAccepted` → `Invitation Accepted`: the EventBridge detail-type of an audit event. */
export function detailType(type: AuditEventType): string {
  return type.replace(/([a-z])([A-Z])/g, '$1 $2');
}
