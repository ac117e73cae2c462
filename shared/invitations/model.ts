/** The invitation as stored and as shown to the partner. */
import * as z from 'zod';
import { addDays, epochSeconds } from '../clock.js';
import { ROLE_NAMES, type Role } from '../domain/roles.js';

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'CANCELED';
export const INVITATION_STATUSES = ['PENDING', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'CANCELED'] as const;

/**
 * The email's fate: QUEUED until sent, SENT once SES took it, then what SES's events say:
 * DELIVERED, BOUNCED (with `bounceType`), COMPLAINED, or FAILED (SES rejected it, or the send failed).
 */
export const EMAIL_STATUSES = ['QUEUED', 'SENT', 'DELIVERED', 'BOUNCED', 'COMPLAINED', 'FAILED'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** SES's kinds of bounce: Permanent (the address does not exist), Transient (full mailbox, ...), or Undetermined. */
export const BOUNCE_TYPES = ['Permanent', 'Transient', 'Undetermined'] as const;
export type BounceType = (typeof BOUNCE_TYPES)[number];

/** Why an invitation email is sent: the first, a resend (the partner asked), or the schedule's reminder. */
export type EmailJobKind = 'INVITATION' | 'RESEND' | 'REMINDER';

/**
 * The invitation's current email. `job` names the email asked for (each create, resend and
 * reminder queues a new one, and the sender works only on the current one); `attempts` counts the
 * sends tried for it, each with a link of its own; `at` is when it last changed.
 */
export interface EmailDelivery {
  readonly status: EmailStatus;
  readonly messageId?: string;
  readonly at: string;
  readonly attempts?: number;
  readonly bounceType?: BounceType;
  readonly job?: string;
  readonly kind?: EmailJobKind;
  /** Set when the sender gave up after its last attempt (the record then goes to the dead-letter queue). */
  readonly retriesSpent?: boolean;
}

/** The email job a create, resend or reminder queues: QUEUED, no attempt yet. */
export function queuedEmail(kind: EmailJobKind, job: string, at: string): EmailDelivery {
  return { status: 'QUEUED', at, attempts: 0, job, kind };
}

/** What the table holds for an invitation, minus its keys. */
export interface Invitation {
  readonly id: string;
  readonly partnerId: string;
  readonly partnerName: string;
  readonly customerDomain: string;
  readonly customerName?: string;
  readonly adminEmail: string;
  readonly roles: readonly Role[];
  readonly durationDays: number;
  readonly autoExtend: boolean;
  readonly locale: string;
  readonly message?: string;
  readonly status: InvitationStatus;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly decidedAt?: string;
  readonly relationshipId?: string;
  /** Why the customer declined, if they said. */
  readonly declineReason?: string;
  /** When the invitation left PENDING (accepted, declined, canceled or expired). */
  readonly closedAt?: string;
  readonly resendCount?: number;
  readonly lastResentAt?: string;
  /** The hash of the secret in the newest email; none until the sender mints the first link. */
  readonly tokenHash?: string;
  /** Hashes of secrets in earlier emails, so an old link can say a newer email was sent. */
  readonly replacedTokenHashes?: readonly string[];
  readonly email: EmailDelivery;
  /** The reminders the schedule queued, as days before `expiresAt` (shared/domain/schedule.ts). */
  readonly remindedDays?: readonly number[];
}

/** Closed invitations stay listable this long, then TTL removes them (reads check it themselves). */
export const CLOSED_RETENTION_DAYS = 30;

/** The TTL of an invitation closed at `at`: it stays listable CLOSED_RETENTION_DAYS longer. */
export const closedTtl = (at: Date): number => epochSeconds(addDays(at, CLOSED_RETENTION_DAYS));

/** At most this many resends per invitation. */
export const MAX_RESENDS = 5;

/** True while the invitation may be shown: not closed more than CLOSED_RETENTION_DAYS ago. */
export function isRetained(invitation: object, at: Date): boolean {
  const ttl = (invitation as { ttl?: unknown }).ttl;
  return typeof ttl !== 'number' || ttl * 1000 > at.getTime();
}

/** An instant as the API writes it: ISO 8601 in UTC (`toISOString()`). */
export const timestamp = z.iso.datetime();

/** The invitation as the partner sees it (the answer's schema): no token hash, no keys, and the status as of `at`. */
export const invitationViewSchema = z.strictObject({
  id: z.uuid(),
  partnerId: z.string(),
  partnerName: z.string(),
  customerDomain: z.string(),
  customerName: z.string().optional(),
  adminEmail: z.string(),
  roles: z.array(z.enum(ROLE_NAMES)).readonly(),
  durationDays: z.number().int(),
  autoExtend: z.boolean(),
  locale: z.string(),
  message: z.string().optional(),
  status: z.enum(INVITATION_STATUSES),
  createdAt: timestamp,
  expiresAt: timestamp,
  decidedAt: timestamp.optional(),
  closedAt: timestamp.optional(),
  relationshipId: z.string().optional(),
  declineReason: z.string().optional(),
  resendCount: z.number().int().min(0),
  lastResentAt: timestamp.optional(),
  email: z.strictObject({
    status: z.enum(EMAIL_STATUSES),
    at: timestamp,
    attempts: z.number().int().min(0).optional(),
    bounceType: z.enum(BOUNCE_TYPES).optional(),
  }),
});
export type InvitationView = z.output<typeof invitationViewSchema>;

/** The status as of `at`: a pending invitation past its expiry is expired, whether or not cleanup ran. */
export function effectiveStatus(invitation: Pick<Invitation, 'status' | 'expiresAt'>, at: Date): InvitationStatus {
  return invitation.status === 'PENDING' && invitation.expiresAt <= at.toISOString() ? 'EXPIRED' : invitation.status;
}

/** Shapes a stored invitation for an API response. */
export function toView(invitation: Invitation, at: Date): InvitationView {
  return {
    id: invitation.id,
    partnerId: invitation.partnerId,
    partnerName: invitation.partnerName,
    customerDomain: invitation.customerDomain,
    customerName: invitation.customerName,
    adminEmail: invitation.adminEmail,
    roles: invitation.roles,
    durationDays: invitation.durationDays,
    autoExtend: invitation.autoExtend,
    locale: invitation.locale,
    message: invitation.message,
    status: effectiveStatus(invitation, at),
    createdAt: invitation.createdAt,
    expiresAt: invitation.expiresAt,
    decidedAt: invitation.decidedAt,
    closedAt: invitation.closedAt,
    relationshipId: invitation.relationshipId,
    declineReason: invitation.declineReason,
    resendCount: invitation.resendCount ?? 0,
    lastResentAt: invitation.lastResentAt,
    email: {
      status: invitation.email.status,
      at: invitation.email.at,
      attempts: invitation.email.attempts,
      bounceType: invitation.email.bounceType,
    },
  };
}
