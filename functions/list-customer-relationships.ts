/** GET /customer/relationships: every partner the customer works with; `?format=csv` exports them all. */
import { customerDomainOf, httpHandler } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { allCustomerRelationships, customerRelationshipsQuery, listCustomerRelationships, toCsv } from '../shared/relationships/service.js';

export const handler = httpHandler({ query: customerRelationshipsQuery }, async ({ event, query }) => {
  const customerDomain = customerDomainOf(event);
  if (query.format === 'csv') {
    return {
      statusCode: 200,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="partner-relationships-${customerDomain}.csv"`,
        'Cache-Control': 'no-store',
      },
      body: toCsv(await allCustomerRelationships(customerDomain, query.status)),
    };
  }
  const { format: _format, ...page } = query;
  return json(200, await listCustomerRelationships(customerDomain, page));
});
