/** Reads what the SES stand-in received, once the email sender has sent what is queued. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { isFinishedEmailJob } from '../../infra/local/email-sender.js';
import { db, tableName } from '../../shared/data/client.js';

export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { to: string[] };
  readonly subject: string;
  readonly body: { text?: string; html?: string };
}

/**
 * Waits until the email sender (on the table's stream, in this process) has finished with every
 * invitation email queued in this file's table: sent, refused, given up on, or dropped because its
 * request closed. Retries wait out their backoff, so this may take a while; it fails after `timeoutMs`.
 */
export async function emailsSettled(timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Items = [] } = await db().send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: '#type = :invitation AND email.#status = :queued',
        ProjectionExpression: 'email.job',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: { ':invitation': 'INVITATION', ':queued': 'QUEUED' },
        ConsistentRead: true,
      }),
    );
    const waiting = Items.map((item) => (item as { email?: { job?: string } }).email?.job ?? '').filter((job) => !isFinishedEmailJob(job));
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the email sender has not finished ${waiting.length} queued email(s) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every email the SES stand-in holds for one recipient, oldest first, once what is queued has been sent. */
export async function emailsTo(address: string, sesEndpoint = inject('sesEndpoint')): Promise<StoredEmail[]> {
  await emailsSettled();
  const response = await fetch(`${sesEndpoint}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

/** The one acceptance link of an email's text body. */
export function linkIn(email: StoredEmail): { url: URL; invitationId: string; token: string } {
  const links = (email.body.text ?? '').match(/https?:\/\/\S+/g) ?? [];
  if (links.length !== 1) throw new Error(`expected exactly one link, found ${links.length}`);
  const url = new URL(links[0] ?? '');
  return { url, invitationId: url.pathname.split('/').at(-1) ?? '', token: url.searchParams.get('token') ?? '' };
}

/** The link of the newest email about one invitation (after a resend, the one that still works). */
export async function newestLinkFor(address: string, invitationId: string, sesEndpoint = inject('sesEndpoint')): Promise<{ url: URL; invitationId: string; token: string }> {
  const link = (await emailsTo(address, sesEndpoint)).map(linkIn).filter((l) => l.invitationId === invitationId).at(-1);
  if (link === undefined) throw new Error(`no email to ${address} about invitation ${invitationId}`);
  return link;
}
