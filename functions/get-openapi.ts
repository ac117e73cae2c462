/** GET /openapi.json: the OpenAPI 3.1 document, generated from the route table. */
import { routes } from '../infra/routes.js';
import { httpHandler } from '../shared/http/handler.js';
import { openApiDocument } from '../shared/http/openapi.js';
import { json } from '../shared/http/responses.js';

const document = openApiDocument(routes);

export const handler = httpHandler({}, async () => json(200, document, { 'Cache-Control': 'public, max-age=300' }));
