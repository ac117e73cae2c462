/** POST /accept/{id}: the customer admin accepts or declines (a form post, or JSON when asked). */
import { acceptancePathParams, decisionBody, LINK_NOT_FOUND } from '../shared/acceptance/schema.js';
import { decide } from '../shared/acceptance/service.js';
import { idempotency } from '../shared/http/idempotency.js';
import { httpHandler } from '../shared/http/handler.js';
import { toProblem } from '../shared/http/problem.js';
import { AppError } from '../shared/errors.js';
import { html, json, wantsJson } from '../shared/http/responses.js';
import { decisionPage, languageHeaders, pageLocale, problemPage, signInNeededPage } from '../shared/pages/acceptance.js';
import { sessionCookieOf } from '../shared/sign-in/cookie.js';
import { signInPageHeaders } from '../shared/sign-in/oidc.js';

/** The refusals whose page offers to sign in (again). */
const SIGN_IN_CODES = new Set(['SIGN_IN_REQUIRED', 'WRONG_ACCOUNT']);

export const handler = httpHandler(
  { body: decisionBody, forms: true, params: acceptancePathParams, notFound: LINK_NOT_FOUND, errorPage: problemPage, idempotency: idempotency(), sameOriginOnly: true },
  async ({ params, body, headers, event }) => {
    try {
      const result = await decide(params.id, body.token, body, sessionCookieOf(event.cookies));
      if (wantsJson(headers)) return json(200, result);
      const locale = pageLocale(headers, result.invitation.locale);
      return html(200, decisionPage(result, locale), languageHeaders(locale));
    } catch (error) {
      if (!(error instanceof AppError) || wantsJson(headers) || !SIGN_IN_CODES.has(error.code)) throw error;
      const locale = pageLocale(headers, error.locale);
      return html(error.status, signInNeededPage(toProblem(error).problem, params.id, body.token, locale), { ...(await signInPageHeaders()), ...languageHeaders(locale) });
    }
  },
);
