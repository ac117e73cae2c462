/**
 * The local email sender: the stream poller hands send-invitation-emails the records that queue an
 * invitation email, with the event source mapping's settings (shared/events/stream.ts EMAIL_DELIVERY),
 * from the stream's oldest record, so a job queued while the stack was stopped is still sent.
 */
import { EMAIL_DELIVERY } from '../../shared/events/stream.js';
import { isQueuedEmail } from '../../shared/invitations/delivery.js';
import { invoke, lambdaContext } from './invoke.js';
import { startStreamPoller, type DeadLetter, type StreamPoller } from './stream-poller.js';

/** The sender's timeout, as deployed (infra/stack.ts). */
const SENDER_TIMEOUT_MS = 5 * 60 * 1000;

/** The email jobs a sender of this process has finished with: sent, refused, given up on, or dropped as no longer current. */
const finished = new Set<string>();

/** Whether a sender of this process has finished with the email job `job` (tests wait on it). */
export const isFinishedEmailJob = (job: string): boolean => finished.has(job);

/** Starts the sender on the table's stream; stop it with the poller's `stop`. */
export async function startEmailSender(options: {
  dynamodbEndpoint: string;
  tableName: string;
  log?: (line: string) => void;
  onDeadLetter?: (letter: DeadLetter) => void;
  intervalMs?: number;
}): Promise<StreamPoller> {
  return startStreamPoller({
    // An email is wanted soon after its request answers: the stream is read more often than for events.
    intervalMs: 50,
    ...options,
    startAt: 'TRIM_HORIZON',
    filter: isQueuedEmail,
    delivery: EMAIL_DELIVERY,
    handler: async (event) => {
      const { handler } = await import('../../functions/send-invitation-emails.js');
      const response = await invoke(handler, event, lambdaContext('send-invitation-emails', SENDER_TIMEOUT_MS));
      const retried = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
      for (const record of event.Records) {
        const job = record.dynamodb?.NewImage?.email?.M?.job?.S;
        if (job !== undefined && !retried.has(record.dynamodb?.SequenceNumber ?? '')) finished.add(job);
      }
      return response;
    },
  });
}
