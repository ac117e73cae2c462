/** Reads what the SES stand-in received, once the email sender has sent what is queued. */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { now } from '../../shared/clock.js';
import { db, tableName } from '../../shared/data/client.js';

export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { to: string[] };
  readonly subject: string;
  readonly body: { text?: string; html?: string };
}

/**
 * Waits until no open invitation of this file's table has an email queued: the sender (on the table's
 * stream) has sent, refused or given up on each. Retries wait out their backoff, so this may take a while.
 */
export async function emailsSettled(timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Count = 0 } = await db().send(
      new ScanCommand({
        TableName: tableName(),
        // A job is due only while its request is open: the sender drops the job of one answered, canceled or expired.
        FilterExpression: '#type = :invitation AND email.#status = :queued AND #status = :pending AND expiresAt > :now',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: { ':invitation': 'INVITATION', ':queued': 'QUEUED', ':pending': 'PENDING', ':now': now().toISOString() },
        Select: 'COUNT',
        ConsistentRead: true,
      }),
    );
    if (Count === 0) return;
    if (Date.now() > deadline) throw new Error(`${Count} invitation email(s) still queued after ${timeoutMs} ms`);
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
