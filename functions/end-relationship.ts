/** DELETE /relationships/{customerDomain} (partner) and DELETE /customer/relationships/{partnerId} (customer admin). */
import { customerDomainOf, httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { endRelationship, RELATIONSHIP_NOT_FOUND, relationshipPathParams } from '../shared/relationships/service.js';

export const handler = httpHandler({ params: relationshipPathParams, notFound: RELATIONSHIP_NOT_FOUND }, async ({ event, params }) => {
  if ('partnerId' in params) return json(200, await endRelationship(params.partnerId, customerDomainOf(event), { kind: 'customer' }));
  return json(200, await endRelationship(partnerIdOf(event), params.customerDomain, { kind: 'partner' }));
});
