/** DELETE /invitations/{id}: the partner withdraws a pending invitation. */
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { INVITATION_NOT_FOUND, invitationPathParams } from '../shared/invitations/schema.js';
import { cancelInvitation } from '../shared/invitations/service.js';

export const handler = httpHandler({ params: invitationPathParams, notFound: INVITATION_NOT_FOUND }, async ({ event, params }) =>
  json(200, await cancelInvitation(partnerIdOf(event), params.id)),
);
