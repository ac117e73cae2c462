/**
 * A browser without JavaScript, in fetch: a cookie jar (cookies are per host, not per port, as
 * browsers keep them), redirects followed by hand so each step can be looked at or replayed, and
 * the steps of signing in at the local OpenID Provider.
 */
import { expect } from 'vitest';
import { hashSecret, newSecret, now } from '../../shared/clock.js';
import { putSession, recordAdmin, SESSION_SECONDS, useState } from '../../shared/sign-in/session.js';

export interface Step {
  readonly url: URL;
  readonly status: number;
  readonly location: URL | undefined;
  readonly text: string;
}

/** One visitor: its own cookies. */
export class Visitor {
  readonly cookies = new Map<string, string>();

  /** One request, no redirect followed; `Set-Cookie` lands in the jar. */
  async request(url: URL | string, init: { method?: string; form?: Record<string, string>; cookies?: boolean } = {}): Promise<Step> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    if (init.cookies !== false && this.cookies.size > 0) headers.Cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      // What a browser adds to a form it posts from a page of the same origin.
      headers.Origin = target.origin;
      headers['Sec-Fetch-Site'] = 'same-origin';
    }
    const response = await fetch(target, {
      method: init.method ?? (init.form === undefined ? 'GET' : 'POST'),
      headers,
      body: init.form === undefined ? undefined : new URLSearchParams(init.form).toString(),
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = response.headers.get('location');
    return { url: target, status: response.status, location: location === null ? undefined : new URL(location, target), text: await response.text() };
  }

  /** Follows redirects from `step` until an answer that is not one; answers every step taken. */
  async follow(step: Step): Promise<Step[]> {
    const steps = [step];
    let current = step;
    while (current.location !== undefined && steps.length < 10) {
      current = await this.request(current.location);
      steps.push(current);
    }
    return steps;
  }
}

/** The hidden `token` of the page's sign-in form, when it has one. */
export const signInFormOf = (html: string) => /<form method="post" action="(\/accept\/[^"]+\/sign-in)">\s*(?:<input type="hidden" name="token" value="([^"]*)">)?/.exec(html);

/**
 * Clicks "Sign in…" for an invitation (with the link's secret, or none to use the visitor's
 * session) and signs in at the provider; answers where the provider sends the browser back (the
 * callback URL, not yet visited) and each step on the way.
 */
export async function signInAtProvider(
  visitor: Visitor,
  apiUrl: string,
  invitationId: string,
  secret: string | undefined,
  account: { email: string; password: string },
): Promise<{ callback: URL; start: Step; authorize: URL; steps: Step[] }> {
  const start = await visitor.request(`${apiUrl}/accept/${invitationId}/sign-in`, { form: { ...(secret === undefined ? {} : { token: secret }), signIn: '1' } });
  expect(start.status, start.text.slice(0, 300)).toBe(303);
  const authorize = start.location!;
  const steps = await visitor.follow(start);
  const form = steps.at(-1)!;
  expect(form.text).toContain('name="password"');
  const action = /<form method="post" action="([^"]+)"/.exec(form.text)?.[1];
  const posted = await visitor.request(new URL(action!, form.url), { form: { email: account.email, password: account.password } });
  expect(posted.status, posted.text.slice(0, 300)).toBe(303);
  // The provider resumes the authorization and redirects to our callback: stop there.
  const resumed = [posted];
  let current = posted;
  while (current.location !== undefined && current.location.origin !== apiUrl) {
    current = await visitor.request(current.location);
    resumed.push(current);
  }
  expect(current.location?.pathname, resumed.map((r) => `${r.status} ${r.url.pathname} -> ${r.location?.pathname}: ${r.text.slice(0, 200)}`).join('\n')).toBe('/accept/callback');
  return { callback: current.location!, start, authorize, steps: [...steps, ...resumed] };
}

/**
 * A signed-in session of an invitation, written as the callback leaves it (for integration tests
 * that call the services directly): answers the cookie's value to pass to `decide`.
 */
export async function signedInCookie(invitationId: string, secret: string, email: string, at: Date = now()): Promise<string> {
  const cookie = newSecret();
  await putSession(cookie, {
    invitationId,
    tokenHash: hashSecret(secret),
    state: 'state',
    nonce: 'nonce',
    codeVerifier: 'verifier',
    createdAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + SESSION_SECONDS * 1000).toISOString(),
  });
  const used = await useState(cookie, 'state', at);
  if ('refused' in used) throw new Error(`the session was refused: ${used.refused}`);
  await recordAdmin(cookie, at.toISOString(), { email, sub: `sub-of-${email}`, customerDomain: email.slice(email.indexOf('@') + 1) });
  return cookie;
}
