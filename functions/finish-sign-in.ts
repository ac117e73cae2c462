/** GET /accept/callback?code=&state=: the identity provider's answer; back to the request page (303), signed in, or a SIGN_IN_FAILED page. */
import { config } from '../shared/config.js';
import { signInCallbackQuery } from '../shared/acceptance/schema.js';
import { httpHandler } from '../shared/http/handler.js';
import { problemPage } from '../shared/pages/acceptance.js';
import { sessionCookieOf } from '../shared/sign-in/cookie.js';
import { finishSignIn } from '../shared/sign-in/service.js';

export const handler = httpHandler({ query: signInCallbackQuery, errorPage: problemPage }, async ({ query, event }) => {
  const invitationId = await finishSignIn(sessionCookieOf(event.cookies), query, event.rawQueryString);
  return { statusCode: 303, headers: { Location: `${config().publicBaseUrl}/accept/${encodeURIComponent(invitationId)}`, 'Cache-Control': 'no-store' }, body: '' };
});
