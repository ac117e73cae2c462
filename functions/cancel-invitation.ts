/** DELETE /invitations/{id}: the partner withdraws a pending invitation. */
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { cancelInvitation } from '../shared/invitations/service.js';

export const handler = httpHandler({}, async ({ event, params }) => json(200, await cancelInvitation(partnerIdOf(event), params.id ?? '')));
