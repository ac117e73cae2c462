/**
 * SES's mailbox simulator, played locally: the SES stand-in emits no events, so after each email
 * it accepted, this hands `record-email-events` the SNS notification SES would publish. An address
 * whose local part starts with `bounce` bounces (Permanent), one starting with `complaint` draws a
 * complaint, anything else is delivered. In AWS nothing here runs: SES's own events arrive by SNS.
 */
import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import { now } from '../../shared/clock.js';
import { findEmailMessage } from '../../shared/invitations/repository.js';
import type { EmailEventType } from '../../shared/invitations/email-events.js';
import { EMAIL_KIND_TAG, observeSentEmails, type EmailKind } from '../../shared/mail/mailer.js';
import { invoke } from './invoke.js';

/** The event SES's simulator answers for an address: `bounce…` bounces, `complaint…` complains, anything else is delivered. */
export function simulatedOutcome(to: string): Exclude<EmailEventType, 'Reject'> {
  const local = to.slice(0, to.lastIndexOf('@')).toLowerCase();
  if (local.startsWith('bounce')) return 'Bounce';
  if (local.startsWith('complaint')) return 'Complaint';
  return 'Delivery';
}

/** An SES event notification about one email, inside an SNS record, as SES publishes it to the configuration set's topic. */
export function sesEventNotification(
  eventType: EmailEventType,
  messageId: string,
  to: string,
  at: Date,
  options: { bounceType?: string; source?: string; kind?: EmailKind } = {},
): SNSEvent {
  const timestamp = at.toISOString();
  const details = {
    Delivery: { delivery: { timestamp, processingTimeMillis: 1, recipients: [to], smtpResponse: '250 2.6.0 Message received', reportingMTA: 'local' } },
    Bounce: {
      bounce: {
        bounceType: options.bounceType ?? 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: to, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
        timestamp,
        feedbackId: randomUUID(),
        reportingMTA: 'dsn; local',
      },
    },
    Complaint: { complaint: { complainedRecipients: [{ emailAddress: to }], timestamp, feedbackId: randomUUID(), complaintFeedbackType: 'abuse' } },
    Reject: { reject: { reason: 'Bad content' } },
  }[eventType];
  const message = {
    eventType,
    mail: { timestamp, source: options.source ?? 'no-reply@local', messageId, destination: [to], headersTruncated: false, tags: options.kind === undefined ? {} : { [EMAIL_KIND_TAG]: [options.kind] } },
    ...details,
  };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'local:email-events',
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: 'local:email-events',
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: timestamp,
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

export interface MailboxSimulator {
  /** Resolves once every email sent so far has had its event handled (tests await this instead of waiting). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Backoff (ms) while an invitation email's record, written just after SES answered, is not in the table yet. */
const RECORD_WAITS = [5, 10, 20, 40, 80, 160, 320, 640];

/** Starts observing the emails this process sends and answers each with its simulated event. */
export function startMailboxSimulator(options: { log: (line: string) => void }): MailboxSimulator {
  const pending = new Set<Promise<void>>();
  let stopped = false;
  const simulate = async (to: string, messageId: string, kind: EmailKind) => {
    // An invitation's email is recorded (with its lookup item) after SES answered; SES's events come later too.
    // Other emails are never recorded: their events go out at once (the handler ignores them by their tag).
    for (const wait of kind === 'invitation' ? RECORD_WAITS : []) {
      if (stopped) return;
      if ((await findEmailMessage(messageId)) !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (stopped) return;
    const outcome = simulatedOutcome(to);
    const { handler } = await import('../../functions/record-email-events.js');
    await invoke(handler, sesEventNotification(outcome, messageId, to, now(), { kind }), 'record-email-events');
  };
  const previous = observeSentEmails((to, messageId, kind) => {
    const run = simulate(to, messageId, kind).catch((error: unknown) => options.log(`mailbox simulator: ${error instanceof Error ? error.message : String(error)}`));
    pending.add(run);
    void run.finally(() => pending.delete(run));
  });
  const settled = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return {
    settled,
    stop: async () => {
      observeSentEmails(previous);
      await settled();
      stopped = true;
    },
  };
}
