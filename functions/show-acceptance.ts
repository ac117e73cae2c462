/** GET (and HEAD) /accept/{id}?token=: the request behind an emailed link (or a signed-in session of it). Changes nothing. */
import { viewRequest } from '../shared/acceptance/service.js';
import { acceptanceLinkQuery, acceptancePathParams, LINK_NOT_FOUND } from '../shared/acceptance/schema.js';
import { httpHandler } from '../shared/http/handler.js';
import { html, json, wantsJson } from '../shared/http/responses.js';
import { toView } from '../shared/invitations/model.js';
import { now } from '../shared/clock.js';
import { languageHeaders, pageLocale, problemPage, requestPage } from '../shared/pages/acceptance.js';
import { sessionCookieOf } from '../shared/sign-in/cookie.js';
import { signInPageHeaders } from '../shared/sign-in/oidc.js';

export const handler = httpHandler(
  { query: acceptanceLinkQuery, params: acceptancePathParams, notFound: LINK_NOT_FOUND, errorPage: problemPage },
  async ({ params, query, headers, event }) => {
    const view = await viewRequest(params.id, query.token, sessionCookieOf(event.cookies));
    if (wantsJson(headers)) return json(200, { invitation: toView(view.invitation, now()) });
    const offersSignIn = view.signedInAs === undefined ? view.signInNeeded !== undefined : view.wrongAccount;
    const locale = pageLocale(headers, view.invitation.locale);
    return html(200, requestPage(view, query.token, locale), { ...(offersSignIn ? await signInPageHeaders() : {}), ...languageHeaders(locale) });
  },
);
