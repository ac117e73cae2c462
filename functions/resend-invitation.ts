/** POST /invitations/{id}/resend: a new link goes out; the previous one then answers 410 LINK_REPLACED. */
import { idempotency } from '../shared/http/idempotency.js';
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { INVITATION_NOT_FOUND, invitationPathParams } from '../shared/invitations/schema.js';
import { resendInvitation } from '../shared/invitations/service.js';

export const handler = httpHandler({ params: invitationPathParams, notFound: INVITATION_NOT_FOUND, idempotency: idempotency() }, async ({ event, params }) =>
  json(202, await resendInvitation(partnerIdOf(event), params.id)),
);
