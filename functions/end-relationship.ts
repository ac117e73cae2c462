/** DELETE /relationships/{customerDomain} (partner) and DELETE /customer/relationships/{partnerId} (customer admin). */
import { customerDomainOf, httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { endRelationship, RELATIONSHIP_NOT_FOUND, relationshipPathParams } from '../shared/relationships/end.js';

export const handler = httpHandler({ params: relationshipPathParams, notFound: RELATIONSHIP_NOT_FOUND }, async ({ event, params }) => {
  if ('partnerId' in params) {
    const customerDomain = customerDomainOf(event);
    return json(200, await endRelationship(params.partnerId, customerDomain, { kind: 'customer', customerDomain }));
  }
  const partnerId = partnerIdOf(event);
  return json(200, await endRelationship(partnerId, params.customerDomain, { kind: 'partner', partnerId }));
});
