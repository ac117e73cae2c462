/**
 * What SES says became of an invitation email, fed back onto the invitation: SES publishes
 * Delivery, Bounce, Complaint and Reject events of the configuration set to an SNS topic, whose
 * `record-email-events` function lands here (locally, the mailbox simulator plays SES). The
 * email's lookup item names the invitation and the link it carried; the move is one conditional
 * write, so a repeated, late or superseded event changes nothing.
 */
import * as z from 'zod';
import { putAudit } from '../audit/repository.js';
import { now } from '../clock.js';
import { logger } from '../log.js';
import { notifyEmailBounced } from '../notices/service.js';
import { BOUNCE_TYPES, type BounceType } from './model.js';
import { EMAIL_KIND_TAG } from '../mail/mailer.js';
import { findEmailMessage, recordEmailOutcome, type EMAIL_STATUS_FROM } from './repository.js';

/** The event types the configuration set publishes, and the status each one means. */
export const EMAIL_EVENT_STATUS = { Delivery: 'DELIVERED', Bounce: 'BOUNCED', Complaint: 'COMPLAINED', Reject: 'FAILED' } as const satisfies Record<
  string,
  keyof typeof EMAIL_STATUS_FROM
>;
export type EmailEventType = keyof typeof EMAIL_EVENT_STATUS;

const withTime = z.looseObject({ timestamp: z.string().optional() });

/** The part of SES's event notification this service reads (the rest is ignored). */
export const sesEventSchema = z.looseObject({
  eventType: z.string(),
  mail: z.looseObject({ messageId: z.string().min(1), timestamp: z.string().optional(), tags: z.record(z.string(), z.array(z.string())).optional() }),
  bounce: z.looseObject({ bounceType: z.string().optional(), timestamp: z.string().optional() }).optional(),
  delivery: withTime.optional(),
  complaint: withTime.optional(),
});
export type SesEvent = z.output<typeof sesEventSchema>;

/** What one event did: moved the email, changed nothing (repeated, late, or not an invitation's email), or could not be read. */
export type EmailEventOutcome = 'RECORDED' | 'UNCHANGED' | 'UNKNOWN_MESSAGE' | 'IGNORED';

/**
 * Records one SES event notification (the `Message` of an SNS record, as a string): moves the
 * invitation's email to its status, with the event's time and, for a bounce, its type. A bounce or
 * complaint writes the `InvitationEmailBounced` audit record in the same transaction and then
 * emails the partner. Throws only when the table cannot be reached (so the delivery is retried).
 */
export async function recordEmailEvent(message: string): Promise<EmailEventOutcome> {
  const event = parse(message);
  if (event === undefined || !(event.eventType in EMAIL_EVENT_STATUS)) {
    logger.warn('SES event not understood', { eventType: event?.eventType });
    return 'IGNORED';
  }
  const status = EMAIL_EVENT_STATUS[event.eventType as EmailEventType];
  // A notice's fate is not recorded: its tag says so without a read (untagged: an older send, looked up).
  const kind = event.mail.tags?.[EMAIL_KIND_TAG];
  if (kind !== undefined && !kind.includes('invitation')) return 'UNKNOWN_MESSAGE';
  const email = await findEmailMessage(event.mail.messageId);
  // A notice (not an invitation's email), or one older than its lookup item's life.
  if (email === undefined) return 'UNKNOWN_MESSAGE';
  const at = timeOf(event);
  const bounceType = status === 'BOUNCED' ? bounceTypeOf(event.bounce?.bounceType) : undefined;
  const bad = status === 'BOUNCED' || status === 'COMPLAINED';
  const audit = bad
    ? putAudit({
        type: 'InvitationEmailBounced',
        at,
        actor: { kind: 'system' },
        partnerId: email.partnerId,
        customerDomain: email.customerDomain,
        invitationId: email.invitationId,
        details: { status, ...(bounceType === undefined ? {} : { bounceType }) },
      })
    : undefined;
  const moved = await recordEmailOutcome(email, { status, at, bounceType }, audit);
  if (!moved) return 'UNCHANGED';
  logger.info('Invitation email status recorded', { invitationId: email.invitationId, status, bounceType });
  if (bad) await notifyEmailBounced(email, status, bounceType);
  return 'RECORDED';
}

function parse(message: string): SesEvent | undefined {
  try {
    const result = sesEventSchema.safeParse(JSON.parse(message));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** When it happened, as SES says (the bounce's, delivery's or complaint's time; the send's for a reject), else now. */
function timeOf(event: SesEvent): string {
  const stated = event.bounce?.timestamp ?? event.delivery?.timestamp ?? event.complaint?.timestamp ?? event.mail.timestamp;
  const time = stated === undefined ? Number.NaN : Date.parse(stated);
  return Number.isNaN(time) ? now().toISOString() : new Date(time).toISOString();
}

const bounceTypeOf = (stated: string | undefined): BounceType =>
  BOUNCE_TYPES.includes(stated as BounceType) ? (stated as BounceType) : 'Undetermined';
