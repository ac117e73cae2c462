/** GET /customer/policy (the customer's policy, defaults when none is set) and PUT /customer/policy (replace it, audited). */
import type { Context } from 'aws-lambda';
import { callerEmailOf } from '../shared/identity/caller.js';
import { customerDomainOf, httpHandler, type ApiEvent } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { policyBody } from '../shared/policy/model.js';
import { getPolicy, putPolicy } from '../shared/policy/service.js';

const read = httpHandler({}, async ({ event }) => json(200, await getPolicy(customerDomainOf(event))));

const write = httpHandler({ body: policyBody }, async ({ event, body }) =>
  json(200, await putPolicy({ customerDomain: customerDomainOf(event), email: callerEmailOf(event) }, body)),
);

export const handler = (event: ApiEvent, context: Context) => (event.requestContext.http.method === 'PUT' ? write(event, context) : read(event, context));
