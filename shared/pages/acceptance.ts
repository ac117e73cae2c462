/** The customer admin's pages: the request, the confirmation and the refusals. No JavaScript anywhere. */
import { isPowerRole, ROLES } from '../domain/roles.js';
import type { Problem } from '../http/problem.js';
import type { Invitation } from '../invitations/model.js';
import type { DecisionResult, RequestView } from '../acceptance/service.js';
import { escapeHtml, formatDays, formatTime } from './escape.js';

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

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
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
function signInSection(invitation: Invitation, secret: string, why: 'POWER' | 'ALWAYS'): string {
  const domain = escapeHtml(invitation.customerDomain);
  const power = invitation.roles.filter(isPowerRole).map((role) => escapeHtml(ROLES[role].title));
  const reason =
    why === 'ALWAYS'
      ? `The policy of ${domain} says every request is accepted by a signed-in administrator of ${domain}.`
      : `${power.join(', ')} can change things in ${domain}, so only a signed-in administrator of ${domain} can grant ${power.length > 1 ? 'them' : 'it'}. Read-only roles can still be accepted from this link alone.`;
  return `<section class="sign-in">
<h2>Sign in to accept</h2>
<p>${reason} Declining needs no sign-in.</p>
${signInForm(invitation.id, secret, 'Sign in…')}
</section>`;
}

/**
 * The request and the form to answer it. The admin may untick roles and shorten the duration
 * before accepting (never add or lengthen), or decline with an optional reason. The form posts
 * the secret back (or, signed in, relies on the session); GET alone never changes anything.
 * When accepting needs sign-in and nobody is signed in, the page offers it and says why.
 */
export function requestPage(view: RequestView, secret: string): string {
  const { invitation, signedInAs, signInNeeded } = view;
  const partner = escapeHtml(invitation.partnerName);
  const customer = escapeHtml(invitation.customerName ?? invitation.customerDomain);
  const roles = invitation.roles
    .map(
      (role) => `<li><label><input type="checkbox" name="roles" value="${escapeHtml(role)}" checked>
<strong>${escapeHtml(ROLES[role].title)}</strong>: ${escapeHtml(ROLES[role].description)}</label></li>`,
    )
    .join('\n');
  return layout(
    `${invitation.partnerName} asks for admin access`,
    `<h1>${partner} asks for admin access to ${customer}</h1>
<p>${partner} would like delegated administrative access to <strong>${escapeHtml(invitation.customerDomain)}</strong>. Nothing changes unless you accept.</p>
<dl>
<dt>Partner</dt><dd>${partner}</dd>
<dt>Organisation</dt><dd>${escapeHtml(invitation.customerDomain)}</dd>
<dt>Duration</dt><dd>${escapeHtml(formatDays(invitation.durationDays))}${invitation.autoExtend ? ', then extended by 180 days at a time until you end it' : ''}</dd>
<dt>Open until</dt><dd>${escapeHtml(formatTime(invitation.expiresAt))}</dd>
<dt>Sent to</dt><dd>${escapeHtml(invitation.adminEmail)}</dd>
</dl>
${invitation.message === undefined ? '' : `<h2>Message from ${partner}</h2><blockquote>${escapeHtml(invitation.message)}</blockquote>`}
${signedInAs === undefined ? '' : `<p class="signed-in">Signed in as <strong>${escapeHtml(signedInAs.email)}</strong></p>`}
${signedInAs === undefined && signInNeeded !== undefined ? signInSection(invitation, secret, signInNeeded) : ''}
<form method="post" action="${escapeHtml(encodeURIComponent(invitation.id))}">
${secret === '' ? '' : `<input type="hidden" name="token" value="${escapeHtml(secret)}">\n`}<input type="hidden" name="rolesChosen" value="1">
<h2>Roles requested</h2>
<p class="note">Untick any role you do not want to grant.</p>
<ul class="roles">${roles}</ul>
<p><label>Grant access for <input type="number" name="durationDays" min="1" max="${invitation.durationDays}" value="${invitation.durationDays}" required> days</label>
<span class="note">(at most ${escapeHtml(formatDays(invitation.durationDays))}, as requested)</span></p>
<div class="actions">
<button type="submit" name="decision" value="accept">Accept</button>
</div>
<h2>Or decline</h2>
<p><label for="reason">Tell ${partner} why (optional)</label><br>
<textarea id="reason" name="reason" rows="3" cols="60" maxlength="500"></textarea></p>
<div class="actions">
<button type="submit" name="decision" value="decline" formnovalidate>Decline</button>
</div>
</form>
<p class="note">Accepting grants ${partner} only the roles you keep ticked, for the time you choose. It does not change your subscriptions, their terms or who owns your account, and it does not affect any other partner you work with.</p>`,
  );
}

/** What the admin sees after answering. */
export function decisionPage(result: DecisionResult): string {
  const { invitation, relationship } = result;
  const partner = escapeHtml(invitation.partnerName);
  if (relationship === null) {
    return layout('Request declined', `<h1>You declined the request</h1>
<p>${partner} has not been given access to ${escapeHtml(invitation.customerDomain)}. ${partner} will see your answer${invitation.declineReason === undefined ? '' : ' and your reason'} when they check the request.</p>
<p class="code">DECLINED</p>`);
  }
  const granted = relationship.roles.map((role) => `<li>${escapeHtml(ROLES[role].title)}</li>`).join('');
  return layout('Request accepted', `<h1>${partner} now has admin access</h1>
<p>${partner} has these roles for ${escapeHtml(invitation.customerDomain)} until ${escapeHtml(formatTime(relationship.endsAt))}${relationship.autoExtend ? ', extended by 180 days at a time until you end it' : ''}:</p>
<ul>${granted}</ul>
<p class="code">ACCEPTED</p>`);
}

/**
 * An accept that needs a (different) signed-in admin: 401 `SIGN_IN_REQUIRED` or 403
 * `WRONG_ACCOUNT`, with the form that signs in (again, as someone else: the provider always asks).
 */
export function signInNeededPage(problem: Problem, invitationId: string, secret: string): string {
  const headline = problem.code === 'WRONG_ACCOUNT' ? 'You are signed in with another account' : 'Sign in to accept';
  return layout(problem.title, `<h1>${escapeHtml(headline)}</h1>
<p>${escapeHtml(problem.detail)}</p>
${signInForm(invitationId, secret, problem.code === 'WRONG_ACCOUNT' ? 'Sign in as someone else' : 'Sign in…')}
<p class="code">${escapeHtml(problem.code)}</p>`);
}

/** A refused link: used, expired, withdrawn or unknown. Carries the problem's code. */
export function problemPage(problem: Problem): string {
  const headline: Record<string, string> = {
    ALREADY_ACCEPTED: 'This request has already been accepted',
    ALREADY_DECLINED: 'This request has already been declined',
    CANCELED: 'This request was withdrawn',
    EXPIRED: 'This request has expired',
    LINK_REPLACED: 'A newer email was sent for this request',
    CROSS_SITE_REQUEST: 'Please answer on the request page',
    NOT_FOUND: 'This link is not valid',
    SIGN_IN_FAILED: 'Sign-in failed',
  };
  return layout(problem.title, `<h1>${escapeHtml(headline[problem.code] ?? problem.title)}</h1>
<p>${escapeHtml(problem.detail)}</p>
<p class="code">${escapeHtml(problem.code)}</p>`);
}
