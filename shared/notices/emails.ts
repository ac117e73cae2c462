/**
 * The notices a customer's policy asks for (its `notify` addresses): a partner was granted access,
 * a relationship ended, or one expired. Plain facts (who, which roles, until when, who approved or
 * ended it); every value is escaped in the HTML, and no notice carries a link.
 */
import type { Role } from '../domain/roles.js';
import type { Caller } from '../identity/caller.js';
import { CATALOGUE, formatDays, formatTime, htmlLangAttributes, messages, type Messages } from '../i18n/catalogue.js';
import { DEFAULT_LOCALE, type Locale } from '../i18n/locales.js';
import { oneLine, type EmailContent } from '../mail/invitation-email.js';
import { escapeHtml } from '../pages/escape.js';
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
  const { email } = relationship.acceptedBy;
  const domain = relationship.customerDomain;
  const approver = relationship.acceptedBy.signedIn ? t.notice.approverSignedIn({ email, domain }) : t.notice.approverByLink({ email });
  const time = formatTime(relationship.endsAt, locale);
  const until = relationship.autoExtend ? t.notice.untilExtended({ time, period: formatDays(AUTO_EXTEND_DAYS, locale) }) : t.notice.until({ time });
  const named = (partnerId: string) => `${partnerNames.get(partnerId) ?? partnerId} (${partnerId})`;
  return render(locale, t.notice.grantedSubject({ partner: relationship.partnerName, domain }), [
    { lines: [t.notice.grantedIntro({ who: who(t, relationship), domain })] },
    { heading: t.notice.rolesGranted, items: rolesOf(t, relationship.roles) },
    { lines: [until, t.notice.approvedBy({ approver })] },
    ...(overlaps.length === 0
      ? []
      : [
          { heading: t.notice.overlapHeading, items: overlaps.map((o) => `${roleName(t, o.role)}: ${o.partnerIds.map(named).join(', ')}`) },
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

const who = (t: Messages, relationship: Pick<NoticeSubject, 'partnerId' | 'partnerName'>) => t.notice.partnerId({ name: relationship.partnerName ?? relationship.partnerId, id: relationship.partnerId });
const roleName = (t: Messages, role: Role) => `${t.roles[role].title} (${role})`;
const rolesOf = (t: Messages, roles: readonly Role[]) => roles.map((role) => roleName(t, role));

/** Subject, text and HTML (with a head and title) from the same blocks, so the two bodies say the same. */
function render(locale: Locale, subjectText: string, blocks: readonly Block[]): EmailContent {
  const subject = oneLine(subjectText);
  const all: Block[] = [...blocks, { lines: [messages(locale).notice.footer] }];
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
