/** The invitation email: subject, text and HTML bodies, each naming who asks for what, and one link. */
import { ROLES } from '../domain/roles.js';
import type { Invitation } from '../invitations/model.js';
import { escapeHtml, formatDays, formatTime } from '../pages/escape.js';

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The acceptance link: the only place the secret ever appears. */
export function acceptanceLink(publicBaseUrl: string, invitationId: string, secret: string): string {
  return `${publicBaseUrl}/accept/${encodeURIComponent(invitationId)}?token=${encodeURIComponent(secret)}`;
}

/** What the earlier email's link has become, said in every resent email. */
export const REPLACES_EARLIER = 'This email replaces the one sent earlier for this request: the link in that email no longer works.';

/** Renders the email sent to the customer's admin; a resend (`replacesEarlier`) says that the earlier email's link no longer works. */
export function invitationEmail(invitation: Invitation, link: string, options: { replacesEarlier?: boolean } = {}): EmailContent {
  const replaces = options.replacesEarlier === true;
  const partner = invitation.partnerName;
  const roles = invitation.roles.map((role) => ({ title: ROLES[role].title, description: ROLES[role].description }));
  const duration = formatDays(invitation.durationDays);
  const expires = formatTime(invitation.expiresAt);
  const subject = oneLine(`${partner} asks for admin access to ${invitation.customerDomain}`);

  const text = [
    ...(replaces ? [REPLACES_EARLIER, ''] : []),
    `${partner} asks for delegated admin access to your organisation ${invitation.customerDomain}.`,
    '',
    'Roles requested:',
    ...roles.map((role) => `  - ${role.title}: ${role.description}`),
    '',
    `For: ${duration}${invitation.autoExtend ? ', then extended by 180 days at a time unless you end it' : ''}`,
    `This request is open until ${expires}.`,
    ...(invitation.message === undefined ? [] : ['', `Message from ${partner}:`, `  ${invitation.message}`]),
    '',
    'Review the request and accept or decline it here:',
    link,
    '',
    'Opening the link changes nothing; only your choice on that page does.',
    'If you did not expect this request, you can ignore this email: it expires by itself.',
  ].join('\n');

  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1b;overflow-wrap:anywhere;word-break:break-word">
${replaces ? `<p><strong>${escapeHtml(REPLACES_EARLIER)}</strong></p>\n` : ''}<p><strong>${escapeHtml(partner)}</strong> asks for delegated admin access to your organisation <strong>${escapeHtml(invitation.customerDomain)}</strong>.</p>
<p>Roles requested:</p>
<ul>${roles.map((role) => `<li><strong>${escapeHtml(role.title)}</strong>: ${escapeHtml(role.description)}</li>`).join('')}</ul>
<p>For: <strong>${escapeHtml(duration)}</strong>${invitation.autoExtend ? ', then extended by 180 days at a time unless you end it' : ''}.<br>
This request is open until <strong>${escapeHtml(expires)}</strong>.</p>
${invitation.message === undefined ? '' : `<p>Message from ${escapeHtml(partner)}:</p><blockquote>${escapeHtml(invitation.message)}</blockquote>`}
<p><a href="${escapeHtml(link)}">Review the request</a></p>
<p style="color:#555">Opening the link changes nothing; only your choice on that page does. If you did not expect this request, you can ignore this email: it expires by itself.</p>
</body></html>`;

  return { subject, text, html };
}

/** Email headers never carry CR, LF or NUL: a subject made of values is flattened to one line. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n\0]+/g, ' ');
}
