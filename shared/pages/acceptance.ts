/** The customer admin's pages: the request, the confirmation and the refusals, in the visitor's language. No JavaScript anywhere. */
import { isPowerRole } from '../domain/roles.js';
import type { Problem } from '../http/problem.js';
import type { Invitation } from '../invitations/model.js';
import type { DecisionResult, RequestView } from '../acceptance/service.js';
import { AppError } from '../errors.js';
import { formatDays, formatTime, htmlLangAttributes, messages, PAGE_PROBLEMS, type PageProblem } from '../i18n/catalogue.js';
import { DEFAULT_LOCALE, localeOr, negotiateLocale, type Locale } from '../i18n/locales.js';
import { AUTO_EXTEND_DAYS } from '../relationships/model.js';
import { escapeHtml } from './escape.js';

/** The page's language: the visitor's `Accept-Language` when we write one it names, else the invitation's locale, else English. */
export function pageLocale(headers: Readonly<Record<string, string | undefined>>, invitationLocale?: string): Locale {
  return negotiateLocale(headers['accept-language'], localeOr(invitationLocale, DEFAULT_LOCALE));
}

/** The headers that say which language a page is in, and that it depends on the visitor's `Accept-Language`. */
export function languageHeaders(locale: Locale): Record<string, string> {
  return { 'Content-Language': locale, Vary: 'Accept-Language' };
}

// Nothing may be wider than a 320 px phone: boxes include their padding and border, controls never
// outgrow their column, and long unbroken names, domains and addresses wrap anywhere.
const STYLE = `*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b;overflow-wrap:anywhere}
input,textarea,button{max-width:100%;font:inherit}textarea{width:100%;display:block}blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid #ccc}
h1{font-size:1.5rem}dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;min-width:0}
.roles li{margin:.25rem 0}.actions{display:flex;flex-wrap:wrap;gap:1rem;margin-top:1.5rem}
button{font-size:1rem;padding:.6rem 1.4rem;border-radius:.3rem;border:1px solid #555;cursor:pointer}
button[value=accept]{background:#0b5cad;color:#fff;border-color:#0b5cad}.roles{list-style:none;padding:0}input[type=number]{width:5rem}.note{color:#555;font-size:.9rem}.code{font-family:monospace;color:#555}
.sign-in{border:1px solid #0b5cad;border-radius:.3rem;padding:0 1rem 1rem;margin:1.5rem 0}.signed-in{background:#eef5fc;padding:.5rem 1rem;border-radius:.3rem}`;

function layout(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html ${htmlLangAttributes(locale)}>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body>
</html>`;
}

/**
 * The form that starts a sign-in for this invitation. It carries the link's secret to our own
 * origin only; without one (signed in already), the session it started stands in for it.
 */
function signInForm(invitationId: string, secret: string, label: string): string {
  return `<form method="post" action="/accept/${escapeHtml(encodeURIComponent(invitationId))}/sign-in">
${secret === '' ? '' : `<input type="hidden" name="token" value="${escapeHtml(secret)}">\n`}<button type="submit" name="signIn" value="1">${escapeHtml(label)}</button>
</form>`;
}

/** Why accepting needs sign-in, and the form to sign in. */
function signInSection(locale: Locale, invitation: Invitation, secret: string, why: 'POWER' | 'ALWAYS'): string {
  const t = messages(locale);
  const domain = escapeHtml(invitation.customerDomain);
  const power = invitation.roles.filter(isPowerRole).map((role) => escapeHtml(t.roles[role].title));
  const reason = why === 'ALWAYS' ? t.page.signInAlways({ domain }) : t.page.signInPower({ roles: power.join(t.listSeparator), domain, count: power.length });
  return `<section class="sign-in">
<h2>${escapeHtml(t.page.signInHeading)}</h2>
<p>${reason} ${escapeHtml(t.page.declineNeedsNoSignIn)}</p>
${signInForm(invitation.id, secret, t.page.signInButton)}
</section>`;
}

/** What the page says to someone signed in who cannot accept, with the form that signs in as someone else. */
function wrongAccountSection(locale: Locale, invitationId: string, secret: string): string {
  const t = messages(locale);
  const text = problemText(locale, 'WRONG_ACCOUNT');
  return `<section class="sign-in">
<h2>${escapeHtml(text.headline)}</h2>
<p>${escapeHtml(text.detail)} ${escapeHtml(t.page.declineNeedsNoSignIn)}</p>
${signInForm(invitationId, secret, t.page.signInAsSomeoneElse)}
</section>`;
}

/**
 * The request and the form to answer it. The admin may untick roles and shorten the duration
 * before accepting (never add or lengthen), or decline with an optional reason. The form posts
 * the secret back (or, signed in, relies on the session); GET alone never changes anything.
 * When accepting needs sign-in and nobody is signed in, the page offers it and says why.
 */
export function requestPage(view: RequestView, secret: string, locale: Locale): string {
  const t = messages(locale);
  // Signed in as someone who cannot accept (another domain's admin, or not one of the policy's
  // named approvers), an Accept would only be refused (403 WRONG_ACCOUNT): the page says so up
  // front and offers to sign in as someone else instead. Declining needs no sign-in.
  const { invitation, signedInAs, signInNeeded, wrongAccount } = view;
  const partner = escapeHtml(invitation.partnerName);
  const customer = escapeHtml(invitation.customerName ?? invitation.customerDomain);
  const domain = escapeHtml(invitation.customerDomain);
  const requested = escapeHtml(formatDays(invitation.durationDays, locale));
  const roles = invitation.roles
    .map(
      (role) => `<li><label><input type="checkbox" name="roles" value="${escapeHtml(role)}" checked>
${t.label({ term: `<strong>${escapeHtml(t.roles[role].title)}</strong>`, text: escapeHtml(t.roles[role].description) })}</label></li>`,
    )
    .join('\n');
  const days = `<input type="number" name="durationDays" min="1" max="${invitation.durationDays}" value="${invitation.durationDays}" required>`;
  return layout(
    locale,
    t.page.requestTitle({ partner: invitation.partnerName }),
    `<h1>${t.page.requestHeading({ partner, customer })}</h1>
<p>${t.page.requestIntro({ partner, domain: `<strong>${domain}</strong>` })}</p>
<dl>
<dt>${escapeHtml(t.page.partner)}</dt><dd>${partner}</dd>
<dt>${escapeHtml(t.page.organisation)}</dt><dd>${domain}</dd>
<dt>${escapeHtml(t.page.duration)}</dt><dd>${invitation.autoExtend ? t.page.durationExtended({ duration: requested, period: escapeHtml(formatDays(AUTO_EXTEND_DAYS, locale)) }) : requested}</dd>
<dt>${escapeHtml(t.page.openUntil)}</dt><dd>${escapeHtml(formatTime(invitation.expiresAt, locale))}</dd>
<dt>${escapeHtml(t.page.sentTo)}</dt><dd>${escapeHtml(invitation.adminEmail)}</dd>
</dl>
${invitation.message === undefined ? '' : `<h2>${t.page.messageFrom({ partner })}</h2><blockquote>${escapeHtml(invitation.message)}</blockquote>`}
${signedInAs === undefined ? '' : `<p class="signed-in">${t.page.signedInAs({ email: `<strong>${escapeHtml(signedInAs.email)}</strong>` })}</p>`}
${signedInAs === undefined && signInNeeded !== undefined ? signInSection(locale, invitation, secret, signInNeeded) : ''}
${wrongAccount ? wrongAccountSection(locale, invitation.id, secret) : ''}
<form method="post" action="${escapeHtml(encodeURIComponent(invitation.id))}">
${secret === '' ? '' : `<input type="hidden" name="token" value="${escapeHtml(secret)}">\n`}<input type="hidden" name="rolesChosen" value="1">
<h2>${escapeHtml(t.page.rolesHeading)}</h2>
<p class="note">${escapeHtml(t.page.untick)}</p>
<ul class="roles">${roles}</ul>
<p><label>${t.page.grantFor({ input: days })}</label>
<span class="note">${t.page.atMost({ duration: requested })}</span></p>
${wrongAccount ? '' : `<div class="actions">
<button type="submit" name="decision" value="accept">${escapeHtml(t.page.accept)}</button>
</div>
`}<h2>${escapeHtml(t.page.declineHeading)}</h2>
<p><label for="reason">${t.page.tellWhy({ partner })}</label><br>
<textarea id="reason" name="reason" rows="3" cols="60" maxlength="500"></textarea></p>
<div class="actions">
<button type="submit" name="decision" value="decline" formnovalidate>${escapeHtml(t.page.decline)}</button>
</div>
</form>
<p class="note">${t.page.footnote({ partner })}</p>`,
  );
}

/** What the admin sees after answering. */
export function decisionPage(result: DecisionResult, locale: Locale): string {
  const t = messages(locale);
  const { invitation, relationship } = result;
  const partner = escapeHtml(invitation.partnerName);
  const domain = escapeHtml(invitation.customerDomain);
  if (relationship === null) {
    const body = invitation.declineReason === undefined ? t.page.declinedBody({ partner, domain }) : t.page.declinedBodyWithReason({ partner, domain });
    return layout(locale, t.page.declinedTitle, `<h1>${escapeHtml(t.page.declinedHeading)}</h1>
<p>${body}</p>
<p class="code">DECLINED</p>`);
  }
  const granted = relationship.roles.map((role) => `<li>${escapeHtml(t.roles[role].title)}</li>`).join('');
  const time = escapeHtml(formatTime(relationship.endsAt, locale));
  const body = relationship.autoExtend
    ? t.page.acceptedBodyExtended({ partner, domain, time, period: escapeHtml(formatDays(AUTO_EXTEND_DAYS, locale)) })
    : t.page.acceptedBody({ partner, domain, time });
  return layout(locale, t.page.acceptedTitle, `<h1>${t.page.acceptedHeading({ partner })}</h1>
<p>${body}</p>
<ul>${granted}</ul>
<p class="code">ACCEPTED</p>`);
}

/** The catalogue's words for a problem's code (`OTHER` for a code no page explains). */
function problemText(locale: Locale, code: string) {
  const known = (PAGE_PROBLEMS as readonly string[]).includes(code) ? (code as PageProblem) : 'OTHER';
  return messages(locale).page.problems[known];
}

/**
 * An accept that needs a (different) signed-in admin: 401 `SIGN_IN_REQUIRED` or 403
 * `WRONG_ACCOUNT`, with the form that signs in (again, as someone else: the provider always asks).
 */
export function signInNeededPage(problem: Problem, invitationId: string, secret: string, locale: Locale): string {
  const t = messages(locale);
  const text = problemText(locale, problem.code);
  return layout(locale, text.headline, `<h1>${escapeHtml(text.headline)}</h1>
<p>${escapeHtml(text.detail)}</p>
${signInForm(invitationId, secret, problem.code === 'WRONG_ACCOUNT' ? t.page.signInAsSomeoneElse : t.page.signInButton)}
<p class="code">${escapeHtml(problem.code)}</p>`);
}

/**
 * A refused link (used, expired, withdrawn, unknown) or a refused answer, with the problem's code;
 * in the visitor's language, else the invitation's when the refusal knows it, else English.
 */
export function problemPage(problem: Problem, request: { headers: Readonly<Record<string, string | undefined>>; error: unknown }): { body: string; headers: Record<string, string> } {
  const locale = pageLocale(request.headers, request.error instanceof AppError ? request.error.locale : undefined);
  const text = problemText(locale, problem.code);
  const body = layout(locale, text.headline, `<h1>${escapeHtml(text.headline)}</h1>
<p>${escapeHtml(text.detail)}</p>
<p class="code">${escapeHtml(problem.code)}</p>`);
  return { body, headers: languageHeaders(locale) };
}
