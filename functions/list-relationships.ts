/** GET /relationships: the calling partner's customers. */
import { httpHandler, partnerIdOf } from '../shared/http/handler.js';
import { json } from '../shared/http/responses.js';
import { listRelationships, listRelationshipsQuery } from '../shared/relationships/service.js';

export const handler = httpHandler({ query: listRelationshipsQuery }, async ({ event, query }) =>
  json(200, await listRelationships(partnerIdOf(event), query)),
);
