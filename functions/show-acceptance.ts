/** GET (and HEAD) /accept/{id}?token=: the request behind an emailed link. Changes nothing. */
import { openRequest } from '../shared/acceptance/service.js';
import { acceptanceLinkQuery, acceptancePathParams, LINK_NOT_FOUND } from '../shared/acceptance/schema.js';
import { httpHandler } from '../shared/http/handler.js';
import { html, json, wantsJson } from '../shared/http/responses.js';
import { toView } from '../shared/invitations/model.js';
import { now } from '../shared/clock.js';
import { problemPage, requestPage } from '../shared/pages/acceptance.js';

export const handler = httpHandler(
  { query: acceptanceLinkQuery, params: acceptancePathParams, notFound: LINK_NOT_FOUND, errorPage: problemPage },
  async ({ params, query, headers }) => {
    const invitation = await openRequest(params.id, query.token);
    return wantsJson(headers) ? json(200, { invitation: toView(invitation, now()) }) : html(200, requestPage(invitation, query.token));
  },
);
