/** Sends email through SES (the SES stand-in locally). */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { config } from '../config.js';
import { localCredentials } from '../data/client.js';
import { traced } from '../tracer.js';
import { retireOnClientSideFailure } from '../sdk-clients.js';
import type { EmailContent } from './invitation-email.js';

const clients = new Map<EmailKind, SESClient>();

/**
 * How many tries the SDK client makes per send, by the email's kind. An invitation's email: one,
 * since a send SES took but did not answer must not go out again with the same link (the sender
 * retries with a new link each time, ../invitations/delivery.ts). A notice carries no secret:
 * the SDK's standard retries ride out a throttle or an SES 5xx, at the price of a rare second copy
 * when SES took a send whose answer was lost, which beats a customer never hearing of a grant.
 */
const ATTEMPTS: Readonly<Record<EmailKind, number>> = { invitation: 1, notice: 3 };

/**
 * The SES client for one kind of email, rebuilt after a client-side failure; locally it points at
 * `SES_ENDPOINT`.
 */
export function ses(kind: EmailKind): SESClient {
  let client = clients.get(kind);
  if (client === undefined) {
    const { sesEndpoint } = config();
    const local = sesEndpoint === undefined ? {} : { endpoint: sesEndpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials };
    client = retireOnClientSideFailure(traced(new SESClient({ ...local, maxAttempts: ATTEMPTS[kind] })), (retired) => {
      if (clients.get(kind) === retired) clients.delete(kind);
    });
    clients.set(kind, client);
  }
  return client;
}

/** Forgets the shared clients (the local stack and tests switch endpoints). */
export function resetSes(): void {
  for (const client of clients.values()) client.destroy();
  clients.clear();
}

/**
 * What an email is, sent to SES as the message tag `kind` (SES's events carry it back in
 * `mail.tags`): only an invitation's email has a fate the service records.
 */
export type EmailKind = 'invitation' | 'notice';

/** The message tag that names an email's kind. */
export const EMAIL_KIND_TAG = 'kind';

/** Sees every email SES accepted: the local stack's mailbox simulator; nothing in AWS. */
export type SentEmailObserver = (to: string, messageId: string, kind: EmailKind) => void;
let observer: SentEmailObserver | undefined;

/** Installs (or, with undefined, removes) the observer of sent emails; answers the one it replaced. */
export function observeSentEmails(next: SentEmailObserver | undefined): SentEmailObserver | undefined {
  const previous = observer;
  observer = next;
  return previous;
}

/** Sends one email from the configured sender, with the configuration set whose events say what became of it; resolves to SES's message id. */
export async function sendEmail(to: string, content: EmailContent, kind: EmailKind = 'notice'): Promise<string> {
  const { senderEmail, sesConfigurationSet } = config();
  const result = await ses(kind).send(
    new SendEmailCommand({
      Source: senderEmail,
      ...(sesConfigurationSet === undefined ? {} : { ConfigurationSetName: sesConfigurationSet }),
      Destination: { ToAddresses: [to] },
      Tags: [{ Name: EMAIL_KIND_TAG, Value: kind }],
      Message: {
        Subject: { Data: content.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: content.text, Charset: 'UTF-8' }, Html: { Data: content.html, Charset: 'UTF-8' } },
      },
    }),
  );
  const messageId = result.MessageId ?? '';
  if (messageId !== '') observer?.(to, messageId, kind);
  return messageId;
}
