/** The sign-in session's cookie: `__Host-` and Secure where the public base URL is https; HttpOnly, SameSite=Lax, ten minutes. */
import { config } from '../config.js';
import { SESSION_SECONDS } from './session.js';

const secure = () => config().publicBaseUrl.startsWith('https:');

/** `__Host-pr_session` on https, `pr_session` on plain http (a browser refuses `__Host-` without Secure). */
export const sessionCookieName = () => (secure() ? '__Host-pr_session' : 'pr_session');

/** The Set-Cookie value that gives the browser the session. */
export function sessionCookie(value: string): string {
  return `${sessionCookieName()}=${value}; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Lax${secure() ? '; Secure' : ''}`;
}

/** The session's cookie value among those API Gateway passes (`event.cookies`), or undefined. */
export function sessionCookieOf(cookies: readonly string[] | undefined): string | undefined {
  const prefix = `${sessionCookieName()}=`;
  const value = cookies?.find((cookie) => cookie.startsWith(prefix))?.slice(prefix.length);
  // Our values are base64url; anything else names no session.
  return value !== undefined && /^[\w-]{16,128}$/.test(value) ? value : undefined;
}
