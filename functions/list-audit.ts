/** GET /audit: a partner's own events, or the events about a customer, newest first. */
import { queryAudit } from '../shared/audit/repository.js';
import { httpHandler, requireCaller } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { auditQuery } from '../shared/audit/schema.js';

export const handler = httpHandler({ query: auditQuery }, async ({ event, query }) => {
  const caller = requireCaller(event);
  const viewer = caller.kind === 'partner' ? { partnerId: caller.partnerId } : { customerDomain: caller.customerDomain };
  return json(200, await queryAudit(viewer, query));
});
