/**
 * Delivery of invitation emails, off the request path. Creating, resending or reminding only
 * queues an email job on the invitation (`email.status` QUEUED with a new `job` id); the table's
 * stream hands each new job to the sender (the send-invitation-emails function), which:
 *
 * 1. mints the link's secret and stores only its hash, conditioned on the job still being the
 *    invitation's current one, still queued, and at the attempt it read: so each link is minted
 *    by one attempt and sent at most once, and no secret ever rests in the table or the stream;
 * 2. sends it through SES (the SDK does not retry: a retry here is a new attempt with a new link,
 *    so a send that SES took but never answered is never repeated with the same link);
 * 3. records SENT (with the lookup item SES's events need), or FAILED when SES refuses for good.
 *
 * Throttling, outages and timeouts are retried with exponential backoff and full jitter, capped
 * (`EMAIL_RETRY_MAX_DELAY_SECONDS`, 30 s by default). After `EMAIL_MAX_ATTEMPTS` the email is
 * FAILED (the partner sees it and may resend) and the record is reported as failed on every try
 * until the event source mapping gives up on it: it then lands in the dead-letter queue, which
 * alarms. A newer job (a resend), a decision, a cancellation or expiry makes a job obsolete: it
 * is dropped without sending.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hashSecret, newSecret, now } from '../clock.js';
import { config } from '../config.js';
import { db, tableName } from '../data/client.js';
import { invitationKey } from '../data/keys.js';
import { logger } from '../log.js';
import { countMetric } from '../metrics.js';
import { acceptanceLink, invitationEmail } from '../mail/invitation-email.js';
import { sendEmail } from '../mail/mailer.js';
import type { EmailDelivery, Invitation } from './model.js';
import { findInvitation, recordEmailDelivery } from './repository.js';

/** A job the stream announced: the invitation and the job id its new image queued. */
export interface EmailJob {
  readonly invitationId: string;
  readonly job: string;
}

/** Whether a stream record queues a new email job: an invitation whose image holds a queued job with no attempt made yet. */
export function isQueuedEmail(record: DynamoDBRecord): boolean {
  return emailJobOf(record) !== undefined;
}

function emailJobOf(record: DynamoDBRecord): EmailJob | undefined {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return undefined;
  const next = record.dynamodb?.NewImage;
  if (next?.type?.S !== 'INVITATION') return undefined;
  const email = next.email?.M;
  const job = email?.job?.S;
  if (email?.status?.S !== 'QUEUED' || job === undefined || next.id?.S === undefined) return undefined;
  // A job's own attempts modify the item too (and the stream carries new images only); only the write that queued it,
  // with no attempt counted yet, starts it. A retried record resumes the job where the table says it stands.
  if (email.attempts?.N !== '0') return undefined;
  return { invitationId: next.id.S, job };
}

/** What became of one job in this invocation. */
type Outcome = 'SENT' | 'FAILED' | 'OBSOLETE' | 'RETRY_LATER';

/**
 * Sends the email of every job among `records`, side by side, and answers Lambda's partial-batch
 * contract: a job that must be tried again later is reported, so the stream is retried from it.
 */
export async function sendQueuedEmails(records: readonly DynamoDBRecord[], remainingMs: () => number): Promise<DynamoDBBatchResponse> {
  const jobs = records.flatMap((record) => {
    const job = emailJobOf(record);
    return job === undefined ? [] : [{ record, job }];
  });
  const outcomes = await Promise.all(jobs.map(async ({ record, job }) => ({ record, outcome: await deliverJob(job, remainingMs) })));
  const failed = outcomes.filter(({ outcome }) => outcome === 'RETRY_LATER');
  return { batchItemFailures: failed.map(({ record }) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' })) };
}

/** Time kept back from the function's timeout for the last write. */
const SAFETY_MS = 5_000;

/** Runs one job's attempts until it is sent, refused for good, obsolete (or another sender's), spent, or out of time. */
async function deliverJob(job: EmailJob, remainingMs: () => number): Promise<Outcome> {
  const { emailMaxAttempts } = config();
  for (;;) {
    const invitation = await findInvitation(job.invitationId, true);
    const email = invitation?.email;
    if (invitation === undefined || email?.job !== job.job) return 'OBSOLETE';
    if (email.status === 'FAILED' && email.retriesSpent === true) return 'RETRY_LATER';
    if (email.status !== 'QUEUED' || invitation.status !== 'PENDING' || invitation.expiresAt <= now().toISOString()) return 'OBSOLETE';
    const attempts = email.attempts ?? 0;
    if (attempts >= emailMaxAttempts) {
      await markSpent(invitation, job, attempts);
      return 'RETRY_LATER';
    }
    if (attempts > 0) {
      const wait = Math.max(0, Date.parse(email.at) + backoffMs(attempts) - now().getTime());
      if (wait > remainingMs() - SAFETY_MS) return 'RETRY_LATER';
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const outcome = await attempt(invitation, job, attempts + 1);
    if (outcome !== 'RETRY') return outcome;
  }
}

/**
 * The longest wait before attempt `attempts + 1`: the base doubled per attempt made, up to the cap.
 * The wait itself is drawn between 0 and that ("full jitter"), so senders throttled together spread out.
 */
export function backoffCeilingMs(attempts: number): number {
  const { emailRetryBaseMs, emailRetryMaxDelayMs } = config();
  return Math.min(emailRetryMaxDelayMs, emailRetryBaseMs * 2 ** Math.max(0, attempts - 1));
}

function backoffMs(attempts: number): number {
  return Math.floor(Math.random() * backoffCeilingMs(attempts));
}

/**
 * One attempt: mint and store the link's hash (the claim), send, record. RETRY when SES failed in a
 * way that may pass; OBSOLETE when the claim lost, since the job then moved on without this sender
 * (another one took the attempt, a resend replaced the job, the request closed): that sender owns it.
 */
async function attempt(invitation: Invitation, job: EmailJob, number: number): Promise<Outcome | 'RETRY'> {
  const secret = newSecret();
  const tokenHash = hashSecret(secret);
  const at = now().toISOString();
  if (!(await claim(invitation, job, tokenHash, number, at))) return 'OBSOLETE';
  const kind = invitation.email.kind ?? 'INVITATION';
  const link = acceptanceLink(config().publicBaseUrl, invitation.id, secret);
  let email: EmailDelivery;
  try {
    const content = invitationEmail(invitation, link, { replacesEarlier: kind !== 'INVITATION', reminder: kind === 'REMINDER', at: now() });
    const messageId = await sendEmail(invitation.adminEmail, content, 'invitation');
    email = { status: 'SENT', messageId, at: now().toISOString(), attempts: number, job: job.job, kind };
    countMetric('InvitationEmailsSent');
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown';
    if (isTransient(error)) {
      logger.warn('Invitation email attempt failed; it will be retried', { invitationId: invitation.id, attempt: number, error: name });
      countMetric('InvitationEmailRetries');
      return 'RETRY';
    }
    logger.warn('Invitation email refused', { invitationId: invitation.id, attempt: number, error: name });
    email = { status: 'FAILED', at: now().toISOString(), attempts: number, job: job.job, kind };
    countMetric('InvitationEmailsFailed');
  }
  await recordEmailDelivery(invitation, tokenHash, email);
  logger.info('Invitation email recorded', { invitationId: invitation.id, status: email.status, attempt: number });
  return email.status === 'SENT' ? 'SENT' : 'FAILED';
}

/**
 * Stores the new link's hash and counts the attempt, only while the job is the invitation's
 * current one, still queued, at the attempt this sender read, and the request still open. The
 * link it replaces keeps its hash among the replaced ones, so it answers LINK_REPLACED.
 * False when another sender (or a newer job) moved first.
 */
async function claim(invitation: Invitation, job: EmailJob, tokenHash: string, number: number, at: string): Promise<boolean> {
  const previous = invitation.tokenHash;
  const made = number === 1 ? '(attribute_not_exists(email.attempts) OR email.attempts = :zero)' : 'email.attempts = :made';
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: invitationKey(invitation.id),
        UpdateExpression: `SET tokenHash = :hash, email.attempts = :number, email.#at = :at${previous === undefined ? '' : ', replacedTokenHashes = list_append(if_not_exists(replacedTokenHashes, :none), :previous)'}`,
        ConditionExpression: `#status = :pending AND expiresAt > :at AND email.job = :job AND email.#emailStatus = :queued AND ${made}`,
        ExpressionAttributeNames: { '#status': 'status', '#emailStatus': 'status', '#at': 'at' },
        ExpressionAttributeValues: {
          ':hash': tokenHash,
          ':number': number,
          ':at': at,
          ':pending': 'PENDING',
          ':job': job.job,
          ':queued': 'QUEUED',
          ...(number === 1 ? { ':zero': 0 } : { ':made': number - 1 }),
          ...(previous === undefined ? {} : { ':none': [], ':previous': [previous] }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Marks a job whose attempts are spent FAILED (the partner sees it), once. */
async function markSpent(invitation: Invitation, job: EmailJob, attempts: number): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: invitationKey(invitation.id),
        UpdateExpression: 'SET email.#status = :failed, email.#at = :at, email.retriesSpent = :yes',
        ConditionExpression: 'email.job = :job AND email.#status = :queued AND email.attempts = :attempts',
        ExpressionAttributeNames: { '#status': 'status', '#at': 'at' },
        ExpressionAttributeValues: { ':failed': 'FAILED', ':at': now().toISOString(), ':yes': true, ':job': job.job, ':queued': 'QUEUED', ':attempts': attempts },
      }),
    );
    countMetric('InvitationEmailsFailed');
    logger.error('Invitation email given up after its retries', { invitationId: invitation.id, attempts });
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
  }
}

/** SES errors that may pass: throttling, SES unavailable or failing, and failures with no answer at all (network, timeout). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined) return true;
  if (status >= 500 || status === 429) return true;
  return TRANSIENT_CODES.has(error.name);
}

/**
 * SES's error codes for limits and pauses that pass with time, or with an operator's action (SES
 * answers some of them with 400): retried, and dead-lettered with an alarm when they do not pass.
 */
const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'LimitExceededException',
  'RequestTimeout',
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
]);
