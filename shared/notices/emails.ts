/**
 * The notices a customer's policy asks for (its `notify` addresses): a partner was granted access,
 * a relationship ended, or one expired; and the partner's own (its profile's `contactEmail`): its
 * request accepted, declined or expired unanswered, its email to the customer's admin bounced, or its access ended by the customer;
 * and, to both, that a relationship without auto-extend ends in 30, 7 or 1 days. Plain
 * facts (who, which roles, until when, who approved or ended it); every value is escaped in the
 * HTML, and no notice carries a link.
 */
import { DAY_MS } from '../clock.js';
import type { Role } from '../domain/roles.js';
import type { Caller } from '../identity/caller.js';
import { CATALOGUE, formatDays, formatTime, htmlLangAttributes, messages, type Messages } from '../i18n/catalogue.js';
import { DEFAULT_LOCALE, type Locale } from '../i18n/locales.js';
import { oneLine, type EmailContent } from '../mail/invitation-email.js';
import { escapeHtml } from '../pages/escape.js';
import type { BounceType, Invitation } from '../invitations/model.js';
import { AUTO_EXTEND_DAYS, type Overlap, type Relationship } from '../relationships/model.js';

/** Why the recipient gets the notice, said at the end of each one (English; each locale says it in its own words). */
export const NOTICE_FOOTER = CATALOGUE.en.notice.footer;

/** What a notice needs to know of a relationship; an expiry found by the schedule may lack the name and roles. */
export type NoticeSubject = Pick<Relationship, 'partnerId' | 'customerDomain' | 'endsAt'> & Partial<Pick<Relationship, 'partnerName' | 'roles' | 'autoExtend'>>;

/** One paragraph: lines of text, or a heading with a bullet list. */
type Block = { readonly lines: readonly string[] } | { readonly heading: string; readonly items: readonly string[] };

/** The grant notice: who got which roles until when, who approved (and whether they signed in), and any power role now shared. */
export function grantedNotice(relationship: Relationship, overlaps: readonly Overlap[], partnerNames: ReadonlyMap<string, string>, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = relationship.customerDomain;
  const named = (partnerId: string) => `${partnerNames.get(partnerId) ?? partnerId} (${partnerId})`;
  return render(locale, t.notice.grantedSubject({ partner: relationship.partnerName, domain }), [
    { lines: [t.notice.grantedIntro({ who: who(t, relationship), domain })] },
    { heading: t.notice.rolesGranted, items: rolesOf(t, relationship.roles) },
    { lines: [until(t, relationship, locale), approvedBy(t, relationship)] },
    ...(overlaps.length === 0
      ? []
      : [
          { heading: t.notice.overlapHeading, items: overlaps.map((o) => t.label({ term: roleName(t, o.role), text: o.partnerIds.map(named).join(t.listSeparator) })) },
          { lines: [t.notice.overlapCheck] },
        ]),
  ]);
}

/** The end notice: whose access ended, which roles it held, when, and who ended it (the partner, or an admin of the customer). */
export function endedNotice(relationship: Relationship, by: Caller, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = relationship.customerDomain;
  const ender = by.kind === 'partner' ? t.notice.byPartner({ partner: relationship.partnerName }) : t.notice.byCustomer({ domain });
  return render(locale, t.notice.endedSubject({ partner: relationship.partnerName, domain }), [
    { lines: [t.notice.endedIntro({ who: who(t, relationship), domain })] },
    { heading: t.notice.rolesHeld, items: rolesOf(t, relationship.roles) },
    { lines: [t.notice.endedAt({ time: formatTime(relationship.terminatedAt ?? relationship.endsAt, locale) }), t.notice.endedBy({ by: ender })] },
  ]);
}

/** The expiry notice: whose access reached its end without being extended, and which roles it held. */
export function expiredNotice(relationship: NoticeSubject, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = relationship.customerDomain;
  return render(locale, t.notice.expiredSubject({ partner: relationship.partnerName ?? relationship.partnerId, domain }), [
    { lines: [t.notice.expiredIntro({ who: who(t, relationship), domain })] },
    ...(relationship.roles === undefined ? [] : [{ heading: t.notice.rolesHeld, items: rolesOf(t, relationship.roles) }]),
    { lines: [t.notice.endedAt({ time: formatTime(relationship.endsAt, locale) }), t.notice.byEndDate] },
  ]);
}

/** The end notice, 30, 7 or 1 days ahead: whose access ends when, which roles it holds, and that it will not extend itself. */
export function endingNotice(relationship: NoticeSubject, daysBefore: number, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = relationship.customerDomain;
  const p = { domain, days: formatDays(daysBefore, locale), time: formatTime(relationship.endsAt, locale) };
  return render(locale, t.notice.endingSubject({ ...p, partner: relationship.partnerName ?? relationship.partnerId }), [
    { lines: [t.notice.endingIntro({ ...p, who: who(t, relationship) })] },
    ...(relationship.roles === undefined ? [] : [{ heading: t.notice.rolesHolding, items: rolesOf(t, relationship.roles) }]),
    { lines: [t.notice.endingNext] },
  ]);
}

/** To the partner, 30, 7 or 1 days ahead: its access to the customer ends then, with the roles it holds, and how to keep working with them. */
export function partnerEndingNotice(relationship: NoticeSubject, daysBefore: number, partnerName: string, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = relationship.customerDomain;
  const p = { domain, days: formatDays(daysBefore, locale), time: formatTime(relationship.endsAt, locale) };
  return renderForPartner(locale, partnerName, t.partnerNotice.endingSubject(p), [
    { lines: [t.partnerNotice.endingIntro(p)] },
    ...(relationship.roles === undefined ? [] : [{ heading: t.notice.rolesHolding, items: rolesOf(t, relationship.roles) }]),
    { lines: [t.partnerNotice.endingAdvice] },
  ]);
}

/** A request of the partner's, as the partner's notices name it. */
export type PartnerRequest = Pick<Invitation, 'id' | 'partnerId' | 'customerDomain'>;

/** To the partner: which roles the customer granted (and which it left out), for how long, until when, and who approved. */
export function partnerAcceptedNotice(relationship: Relationship, partnerName: string, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = relationship.customerDomain;
  const left = (relationship.requestedRoles ?? []).filter((role) => !relationship.roles.includes(role));
  const days = Math.round((Date.parse(relationship.endsAt) - Date.parse(relationship.startsAt)) / DAY_MS);
  return renderForPartner(locale, partnerName, t.partnerNotice.acceptedSubject({ domain }), [
    { lines: [t.partnerNotice.acceptedIntro({ domain }), t.partnerNotice.request({ id: relationship.invitationId })] },
    { heading: t.notice.rolesGranted, items: rolesOf(t, relationship.roles) },
    ...(left.length === 0 ? [] : [{ heading: t.partnerNotice.rolesNotGranted, items: rolesOf(t, left) }]),
    { lines: [t.partnerNotice.grantedFor({ duration: formatDays(days, locale) }), until(t, relationship, locale), approvedBy(t, relationship)] },
  ]);
}

/** To the partner: the customer declined its request, with the reason the admin gave (if any). */
export function partnerDeclinedNotice(request: PartnerRequest & Pick<Invitation, 'roles'>, reason: string | undefined, partnerName: string, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = request.customerDomain;
  return renderForPartner(locale, partnerName, t.partnerNotice.declinedSubject({ domain }), [
    { lines: [t.partnerNotice.declinedIntro({ domain }), t.partnerNotice.request({ id: request.id })] },
    { heading: t.partnerNotice.rolesRequested, items: rolesOf(t, request.roles) },
    { lines: [reason === undefined || reason.trim() === '' ? t.partnerNotice.noReason : t.partnerNotice.reason({ reason })] },
  ]);
}

/** To the partner: nobody answered its request before `expiresAt`, so the schedule closed it. */
export function partnerExpiredNotice(request: PartnerRequest & Pick<Invitation, 'expiresAt'>, partnerName: string, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = request.customerDomain;
  return renderForPartner(locale, partnerName, t.partnerNotice.expiredSubject({ domain }), [
    { lines: [t.partnerNotice.expiredIntro({ domain, time: formatTime(request.expiresAt, locale) }), t.partnerNotice.request({ id: request.id })] },
    { lines: [t.partnerNotice.askAgain] },
  ]);
}

/** What the partner's bounce notice names of the email: the request, the customer and the address it went to. */
export interface BouncedEmail {
  readonly invitationId: string;
  readonly partnerId: string;
  readonly customerDomain: string;
  readonly adminEmail: string;
}

/** To the partner: its invitation email to the customer's admin bounced (permanently or not) or was reported as spam; what to check. */
export function partnerEmailBouncedNotice(
  email: BouncedEmail,
  status: 'BOUNCED' | 'COMPLAINED',
  bounceType: BounceType | undefined,
  partnerName: string,
  locale: Locale = DEFAULT_LOCALE,
): EmailContent {
  const t = messages(locale);
  const p = { domain: email.customerDomain, address: email.adminEmail };
  const what =
    status === 'COMPLAINED' ? t.partnerNotice.complainedIntro(p) : bounceType === 'Permanent' ? t.partnerNotice.bouncedPermanentIntro(p) : t.partnerNotice.bouncedTransientIntro(p);
  return renderForPartner(locale, partnerName, t.partnerNotice.bouncedSubject(p), [
    { lines: [what, t.partnerNotice.request({ id: email.invitationId })] },
    { lines: [status === 'COMPLAINED' ? t.partnerNotice.complainedAdvice : t.partnerNotice.bouncedAdvice] },
  ]);
}

/** To the partner: an admin of the customer ended its access; which roles it held, and when. */
export function partnerEndedNotice(relationship: Relationship, partnerName: string, locale: Locale = DEFAULT_LOCALE): EmailContent {
  const t = messages(locale);
  const domain = relationship.customerDomain;
  return renderForPartner(locale, partnerName, t.partnerNotice.endedSubject({ domain }), [
    { lines: [t.partnerNotice.endedIntro({ domain })] },
    { heading: t.notice.rolesHeld, items: rolesOf(t, relationship.roles) },
    { lines: [t.notice.endedAt({ time: formatTime(relationship.terminatedAt ?? relationship.endsAt, locale) })] },
  ]);
}

const until = (t: Messages, relationship: Pick<Relationship, 'endsAt' | 'autoExtend'>, locale: Locale) => {
  const time = formatTime(relationship.endsAt, locale);
  return relationship.autoExtend ? t.notice.untilExtended({ time, period: formatDays(AUTO_EXTEND_DAYS, locale) }) : t.notice.until({ time });
};
const approvedBy = (t: Messages, relationship: Pick<Relationship, 'acceptedBy' | 'customerDomain'>) => {
  const { email, signedIn } = relationship.acceptedBy;
  return t.notice.approvedBy({ approver: signedIn ? t.notice.approverSignedIn({ email, domain: relationship.customerDomain }) : t.notice.approverByLink({ email }) });
};
const who = (t: Messages, relationship: Pick<NoticeSubject, 'partnerId' | 'partnerName'>) => t.notice.partnerId({ name: relationship.partnerName ?? relationship.partnerId, id: relationship.partnerId });
const roleName = (t: Messages, role: Role) => `${t.roles[role].title} (${role})`;
const rolesOf = (t: Messages, roles: readonly Role[]) => roles.map((role) => roleName(t, role));

/** A partner's notice ends by saying why its contact address gets it. */
function renderForPartner(locale: Locale, partnerName: string, subjectText: string, blocks: readonly Block[]): EmailContent {
  return render(locale, subjectText, blocks, messages(locale).partnerNotice.footer({ partner: partnerName }));
}

/** Subject, text and HTML (with a head and title) from the same blocks, so the two bodies say the same. */
function render(locale: Locale, subjectText: string, blocks: readonly Block[], footer = messages(locale).notice.footer): EmailContent {
  const subject = oneLine(subjectText);
  const all: Block[] = [...blocks, { lines: [footer] }];
  const text = all
    .map((block) => ('heading' in block ? [block.heading, ...block.items.map((item) => `  - ${item}`)] : block.lines).join('\n'))
    .join('\n\n');
  const html = `<!doctype html>
<html ${htmlLangAttributes(locale)}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1b1b1b;overflow-wrap:anywhere;word-break:break-word">
${all
  .map((block) =>
    'heading' in block
      ? `<p>${escapeHtml(block.heading)}</p>\n<ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`
      : `<p>${block.lines.map(escapeHtml).join('<br>\n')}</p>`,
  )
  .join('\n')}
</body></html>`;
  return { subject, text, html };
}
