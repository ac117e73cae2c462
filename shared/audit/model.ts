/**
 * The audit trail: one record per transition, written in the same transaction as the change.
 * Audit records are also the outbox the event publisher reads from the table's stream.
 */
import * as z from 'zod';
import { timestamp } from '../invitations/model.js';

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
  'CustomerPolicyChanged',
  /** A grant left two or more partners holding the same power role at one customer (written after the accept). */
  'RelationshipOverlapDetected',
  /** SES reported that the invitation's current email bounced or drew a complaint (details: status, bounceType). */
  'InvitationEmailBounced',
  /** The schedule queued a reminder email to the customer's admin (details: daysBefore, job). */
  'InvitationReminderQueued',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Records that name other partners of the customer: the customer's trail (and the event bus) shows them, a partner's trail never does. */
export const CUSTOMER_ONLY_EVENT_TYPES: readonly AuditEventType[] = ['RelationshipOverlapDetected'];

/** Who made a transition happen: a caller as its token names it, the customer admin through the emailed link, or the system. */
const ACTOR_SHAPES = [
  { kind: z.literal('partner'), partnerId: z.string() },
  // `subject`: the identity provider's `sub` of a signed-in customer admin.
  { kind: z.literal('customer'), customerDomain: z.string(), email: z.string().optional(), subject: z.string().optional() },
  { kind: z.literal('system') },
] as const;
export const actorSchema = z.discriminatedUnion('kind', [z.strictObject(ACTOR_SHAPES[0]), z.strictObject(ACTOR_SHAPES[1]), z.strictObject(ACTOR_SHAPES[2])]);
/** The same actor read from a stored record: fields it does not know are left behind rather than refused. */
export const storedActorSchema = z.discriminatedUnion('kind', [z.object(ACTOR_SHAPES[0]), z.object(ACTOR_SHAPES[1]), z.object(ACTOR_SHAPES[2])]);
export type Actor = z.output<typeof actorSchema>;

/** One audit record as the API shows it (the answer's schema). */
export const auditEventSchema = z.strictObject({
  id: z.string(),
  type: z.enum(AUDIT_EVENT_TYPES),
  at: timestamp,
  actor: actorSchema,
  /** Absent on a record of the customer's own (a policy change): no partner took part. */
  partnerId: z.string().optional(),
  customerDomain: z.string(),
  invitationId: z.string().optional(),
  relationshipId: z.string().optional(),
  /** What changed, in the terms of the transition: roles granted, reason given, new end, ... */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.output<typeof auditEventSchema>;

/** How long audit records are kept at least; TTL removes them afterwards. */
export const AUDIT_RETENTION_DAYS = 400;

/** `InvitationAccepted` → `Invitation Accepted`: the EventBridge detail-type of an audit event. */
export function detailType(type: AuditEventType): string {
  return type.replace(/([a-z])([A-Z])/g, '$1 $2');
}
