/**
 * The notices a customer's policy asks for (its `notify` addresses): a partner was granted access,
 * a relationship ended, or one expired. Plain facts (who, which roles, until when, who approved or
 * ended it); every value is escaped in the HTML, and no notice carries a link.
 */
import { ROLES, type Role } from '../domain/roles.js';
import type { Caller } from '../identity/caller.js';
import { oneLine, type EmailContent } from '../mail/invitation-email.js';
import { escapeHtml, formatTime } from '../pages/escape.js';
import { AUTO_EXTEND_DAYS, type Overlap, type Relationship } from '../relationships/model.js';

/** Why the recipient gets the notice, said at the end of each one. */
export const NOTICE_FOOTER = "You receive this notice because your organisation's partner policy lists this address under notify.";

/** What a notice needs to know of a relationship; an expiry found by the schedule may lack the name and roles. */
export type NoticeSubject = Pick<Relationship, 'partnerId' | 'customerDomain' | 'endsAt'> & Partial<Pick<Relationship, 'partnerName' | 'roles' | 'autoExtend'>>;

/** One paragraph: lines of text, or a heading with a bullet list. */
type Block = { readonly lines: readonly string[] } | { readonly heading: string; readonly items: readonly string[] };

/** The grant notice: who got which roles until when, who approved (and whether they signed in), and any power role now shared. */
export function grantedNotice(relationship: Relationship, overlaps: readonly Overlap[], partnerNames: ReadonlyMap<string, string>): EmailContent {
  const approver = relationship.acceptedBy.signedIn
    ? `${relationship.acceptedBy.email}, signed in as an admin of ${relationship.customerDomain}`
    : `${relationship.acceptedBy.email}, from the emailed link without signing in`;
  const until = `${formatTime(relationship.endsAt)}${relationship.autoExtend ? `, then extended by ${AUTO_EXTEND_DAYS} days at a time unless someone ends it` : ''}`;
  const named = (partnerId: string) => `${partnerNames.get(partnerId) ?? partnerId} (${partnerId})`;
  return render(`${relationship.partnerName} was granted admin access to ${relationship.customerDomain}`, [
    { lines: [`${who(relationship)} was granted delegated admin access to your organisation ${relationship.customerDomain}.`] },
    { heading: 'Roles granted:', items: rolesOf(relationship.roles) },
    { lines: [`Until: ${until}`, `Approved by: ${approver}`] },
    ...(overlaps.length === 0
      ? []
      : [
          { heading: 'More than one partner now holds the same power role:', items: overlaps.map((o) => `${roleName(o.role)}: ${o.partnerIds.map(named).join(', ')}`) },
          { lines: ['Check that each of them needs it.'] },
        ]),
  ]);
}

/** The end notice: whose access ended, which roles it held, when, and who ended it (the partner, or an admin of the customer). */
export function endedNotice(relationship: Relationship, by: Caller): EmailContent {
  const ender = by.kind === 'partner' ? `the partner, ${relationship.partnerName}` : `an admin of your organisation ${relationship.customerDomain}`;
  return render(`${relationship.partnerName}'s admin access to ${relationship.customerDomain} has ended`, [
    { lines: [`The delegated admin access of ${who(relationship)} to your organisation ${relationship.customerDomain} has ended.`] },
    { heading: 'Roles it held:', items: rolesOf(relationship.roles) },
    { lines: [`Ended: ${formatTime(relationship.terminatedAt ?? relationship.endsAt)}`, `Ended by: ${ender}`] },
  ]);
}

/** The expiry notice: whose access reached its end without being extended, and which roles it held. */
export function expiredNotice(relationship: NoticeSubject): EmailContent {
  const name = relationship.partnerName ?? relationship.partnerId;
  return render(`${name}'s admin access to ${relationship.customerDomain} has expired`, [
    { lines: [`The delegated admin access of ${who(relationship)} to your organisation ${relationship.customerDomain} reached its end and expired.`] },
    ...(relationship.roles === undefined ? [] : [{ heading: 'Roles it held:', items: rolesOf(relationship.roles) }]),
    { lines: [`Ended: ${formatTime(relationship.endsAt)}`, 'Ended by: its end date (nobody extended it)'] },
  ]);
}

const who = (relationship: Pick<NoticeSubject, 'partnerId' | 'partnerName'>) => `${relationship.partnerName ?? relationship.partnerId} (partner id ${relationship.partnerId})`;
const roleName = (role: Role) => `${ROLES[role].title} (${role})`;
const rolesOf = (roles: readonly Role[]) => roles.map(roleName);

/** Subject, text and HTML (with a head and title) from the same blocks, so the two bodies say the same. */
function render(subjectText: string, blocks: readonly Block[]): EmailContent {
  const subject = oneLine(subjectText);
  const all: Block[] = [...blocks, { lines: [NOTICE_FOOTER] }];
  const text = all
    .map((block) => ('heading' in block ? [block.heading, ...block.items.map((item) => `  - ${item}`)] : block.lines).join('\n'))
    .join('\n\n');
  const html = `<!doctype html>
<html lang="en">
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
