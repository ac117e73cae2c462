/** POST /accept/{id}: the customer admin accepts or declines (a form post, or JSON when asked). */
import { acceptancePathParams, decisionBody, LINK_NOT_FOUND } from '../shared/acceptance/schema.js';
import { decide } from '../shared/acceptance/service.js';
import { idempotency } from '../shared/http/idempotency.js';
import { httpHandler } from '../shared/http/handler.js';
import { html, json, wantsJson } from '../shared/http/responses.js';
import { decisionPage, problemPage } from '../shared/pages/acceptance.js';

export const handler = httpHandler(
  { body: decisionBody, forms: true, params: acceptancePathParams, notFound: LINK_NOT_FOUND, errorPage: problemPage, idempotency: idempotency(), sameOriginOnly: true },
  async ({ params, body, headers }) => {
    const result = await decide(params.id, body.token, body);
    return wantsJson(headers) ? json(200, result) : html(200, decisionPage(result));
  },
);
