/** The invitation email: subject, text and HTML bodies, each naming who asks for what, and one link; in the invitation's locale. */
import { DAY_MS } from '../clock.js';
import { AUTO_EXTEND_DAYS } from '../relationships/model.js';
import type { Invitation } from '../invitations/model.js';
import { CATALOGUE, formatDays, formatTime, htmlLangAttributes, messages } from '../i18n/catalogue.js';
import { localeOr } from '../i18n/locales.js';
import { escapeHtml } from '../pages/escape.js';

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The acceptance link: the only place the secret ever appears. */
export function acceptanceLink(publicBaseUrl: string, invitationId: string, secret: string): string {
  return `${publicBaseUrl}/accept/${encodeURIComponent(invitationId)}?token=${encodeURIComponent(secret)}`;
}

/** What the earlier email's link has become, said in every resent email (English; each locale says it in its own words). */
export const REPLACES_EARLIER = CATALOGUE.en.email.replacesEarlier;

const strong = (value: string) => `<strong>${escapeHtml(value)}</strong>`;

/**
 * Renders the email sent to the customer's admin in its locale; a resend (`replacesEarlier`) says
 * that the earlier email's link no longer works, a reminder (at `at`) how long the request stays open.
 */
export function invitationEmail(invitation: Invitation, link: string, options: { replacesEarlier?: boolean; reminder?: boolean; at?: Date } = {}): EmailContent {
  const locale = localeOr(invitation.locale);
  const t = messages(locale);
  const replaces = options.replacesEarlier === true;
  const daysLeft = Math.max(1, Math.ceil((Date.parse(invitation.expiresAt) - (options.at ?? new Date()).getTime()) / DAY_MS));
  const notice = options.reminder === true ? t.email.reminder({ left: formatDays(daysLeft, locale) }) : replaces ? t.email.replacesEarlier : undefined;
  const partner = invitation.partnerName;
  const domain = invitation.customerDomain;
  const roles = invitation.roles.map((role) => t.roles[role]);
  const duration = formatDays(invitation.durationDays, locale);
  const period = formatDays(AUTO_EXTEND_DAYS, locale);
  const expires = formatTime(invitation.expiresAt, locale);
  const subject = oneLine(options.reminder === true ? t.email.reminderSubject({ subject: t.email.subject({ partner, domain }) }) : t.email.subject({ partner, domain }));
  const forText = (values: { duration: string; period: string }) => (invitation.autoExtend ? t.email.durationExtended(values) : t.email.duration(values));

  const text = [
    ...(notice === undefined ? [] : [notice, '']),
    t.email.intro({ partner, domain }),
    '',
    t.email.rolesHeading,
    ...roles.map((role) => `  - ${t.label({ term: role.title, text: role.description })}`),
    '',
    forText({ duration, period }),
    t.email.openUntil({ time: expires }),
    ...(invitation.message === undefined ? [] : ['', t.email.messageFrom({ partner }), `  ${invitation.message}`]),
    '',
    t.email.reviewHere,
    link,
    '',
    t.email.safeToOpen,
    t.email.unexpected,
  ].join('\n');

  // Catalogue texts carry no markup; every value is escaped before it is placed in them.
  const html = `<!doctype html>
<html ${htmlLangAttributes(locale)}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1b;overflow-wrap:anywhere;word-break:break-word">
${notice === undefined ? '' : `<p><strong>${escapeHtml(notice)}</strong></p>\n`}<p>${t.email.intro({ partner: strong(partner), domain: strong(domain) })}</p>
<p>${escapeHtml(t.email.rolesHeading)}</p>
<ul>${roles.map((role) => `<li>${t.label({ term: `<strong>${escapeHtml(role.title)}</strong>`, text: escapeHtml(role.description) })}</li>`).join('')}</ul>
<p>${forText({ duration: strong(duration), period: escapeHtml(period) })}<br>
${t.email.openUntil({ time: strong(expires) })}</p>
${invitation.message === undefined ? '' : `<p>${t.email.messageFrom({ partner: escapeHtml(partner) })}</p><blockquote>${escapeHtml(invitation.message)}</blockquote>`}
<p><a href="${escapeHtml(link)}">${escapeHtml(t.email.reviewButton)}</a></p>
<p style="color:#555">${escapeHtml(t.email.safeToOpen)} ${escapeHtml(t.email.unexpected)}</p>
</body></html>`;

  return { subject, text, html };
}

/** Email headers never carry CR, LF or NUL: a subject made of values is flattened to one line. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n\0]+/g, ' ');
}
