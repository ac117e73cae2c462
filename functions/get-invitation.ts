/** GET /invitations/{id}: one of the calling partner's invitations (404 for anyone else's). */
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { INVITATION_NOT_FOUND, invitationPathParams } from '../shared/invitations/schema.js';
import { getInvitation } from '../shared/invitations/service.js';

export const handler = httpHandler({ params: invitationPathParams, notFound: INVITATION_NOT_FOUND }, async ({ event, params }) =>
  json(200, await getInvitation(partnerIdOf(event), params.id)),
);
