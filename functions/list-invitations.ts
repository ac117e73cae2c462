/** GET /invitations: the calling partner's invitations, newest first. */
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { listInvitationsQuery } from '../shared/invitations/schema.js';
import { listInvitations } from '../shared/invitations/service.js';

export const handler = httpHandler({ query: listInvitationsQuery }, async ({ event, query }) =>
  json(200, await listInvitations(partnerIdOf(event), query)),
);
