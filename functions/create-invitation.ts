/** POST /invitations: a partner asks a customer for delegated admin access. */
import { idempotency } from '../shared/http/idempotency.js';
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { createInvitationBody } from '../shared/invitations/schema.js';
import { createInvitation } from '../shared/invitations/service.js';

export const handler = httpHandler({ body: createInvitationBody, idempotency: idempotency() }, async ({ event, body }) => {
  const invitation = await createInvitation(partnerIdOf(event), body);
  return json(201, invitation, { Location: `/invitations/${invitation.id}` });
});
