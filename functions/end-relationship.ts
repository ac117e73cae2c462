/** DELETE /relationships/{customerDomain} (partner) and DELETE /customer/relationships/{partnerId} (customer admin). */
import { customerDomainOf, httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { endRelationship } from '../shared/relationships/service.js';
import { normaliseDomain } from '../shared/domain/domains.js';

export const handler = httpHandler({}, async ({ event, params }) => {
  if (params.partnerId !== undefined) {
    const customerDomain = customerDomainOf(event);
    return json(200, await endRelationship(params.partnerId, customerDomain, { kind: 'customer', customerDomain }));
  }
  const partnerId = partnerIdOf(event);
  const customerDomain = normaliseDomain(params.customerDomain ?? '') ?? '';
  return json(200, await endRelationship(partnerId, customerDomain, { kind: 'partner', partnerId }));
});
