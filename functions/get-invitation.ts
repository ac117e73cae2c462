/** GET /invitations/{id}: one of the calling partner's invitations (404 for anyone else's). */
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { invitationIdParam } from '../shared/invitations/schema.js';
import { getInvitation } from '../shared/invitations/service.js';
import { NotFoundError } from '../shared/errors.js';

export const handler = httpHandler({}, async ({ event, params }) => {
  const partnerId = partnerIdOf(event);
  const id = invitationIdParam.safeParse(params.id);
  if (!id.success) throw new NotFoundError('No invitation of yours has this id.');
  return json(200, await getInvitation(partnerId, id.data));
});
