/** Reads what the SES stand-in received. */
import { inject } from 'vitest';

export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { to: string[] };
  readonly subject: string;
  readonly body: { text?: string; html?: string };
}

/** Every email the SES stand-in holds for one recipient, oldest first. */
export async function emailsTo(address: string, sesEndpoint = inject('sesEndpoint')): Promise<StoredEmail[]> {
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
