/** POST /accept/{id}/sign-in: checks the link, opens a sign-in session bound to it and sends the browser to the identity provider (303). */
import { acceptancePathParams, LINK_NOT_FOUND, signInBody } from '../shared/acceptance/schema.js';
import { httpHandler } from '../shared/http/handler.js';
import { problemPage } from '../shared/pages/acceptance.js';
import { sessionCookieOf } from '../shared/sign-in/cookie.js';
import { startSignIn } from '../shared/sign-in/service.js';

export const handler = httpHandler(
  { body: signInBody, forms: true, params: acceptancePathParams, notFound: LINK_NOT_FOUND, errorPage: problemPage, sameOriginOnly: true },
  async ({ params, body, event }) => {
    const { location, cookie } = await startSignIn(params.id, body.token, sessionCookieOf(event.cookies));
    return { statusCode: 303, headers: { Location: location, 'Cache-Control': 'no-store' }, cookies: [cookie], body: '' };
  },
);
