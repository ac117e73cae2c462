import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { httpHandler, type ApiEvent } from '../../shared/http/handler.js';
import { json } from '../../shared/http/responses.js';
import { invoke } from '../../infra/local/invoke.js';

function event(overrides: Partial<ApiEvent> & { method?: string } = {}): ApiEvent {
  const { method = 'POST', ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: `${method} /things/{id}`,
    rawPath: '/things/1',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    requestContext: { http: { method, path: '/things/1' }, requestId: 'r' },
    ...rest,
  } as ApiEvent;
}

/** A route with a body, a query and a path parameter; it records whether it ran. */
function route() {
  const calls: unknown[] = [];
  const handler = httpHandler(
    {
      body: z.strictObject({ name: z.string() }),
      query: z.object({ q: z.string().optional() }),
      params: z.strictObject({ id: z.string().regex(/^[0-9]{1,4}$/) }),
      notFound: 'No thing has this id.',
    },
    async (request) => {
      calls.push(request);
      return json(200, { id: request.params.id });
    },
  );
  return { calls, call: async (e: ApiEvent) => (await invoke(handler, e, 'test')) as { statusCode: number; headers: Record<string, string>; body: string } };
}

const problem = (response: { body: string }) => JSON.parse(response.body) as { code: string; detail: string; errors?: { path: string; message: string }[] };

describe('every text a request carries is well-formed Unicode', () => {
  it('refuses a lone surrogate in a JSON body with 400 VALIDATION_FAILED and the field path, before the route runs', async () => {
    const { calls, call } = route();
    const response = await call(event({ pathParameters: { id: '1' }, body: '{"name":"hello \\udfff"}' }));
    expect(response.statusCode).toBe(400);
    expect(problem(response)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'name', message: expect.stringContaining('well-formed') }] });
    expect(calls).toHaveLength(0);
  });

  it('refuses one in a header, the query string or a path parameter the same way', async () => {
    const { calls, call } = route();
    const body = '{"name":"ok"}';
    const cases: [Partial<ApiEvent>, string][] = [
      [{ headers: { 'content-type': 'application/json', 'idempotency-key': 'k\ud800' }, pathParameters: { id: '1' }, body }, 'idempotency-key'],
      [{ queryStringParameters: { q: '\udc00' }, pathParameters: { id: '1' }, body }, 'q'],
      [{ pathParameters: { id: '1\ud800' }, body }, 'id'],
    ];
    for (const [overrides, path] of cases) {
      const response = await call(event(overrides));
      expect(response.statusCode, path).toBe(400);
      expect(problem(response).errors, path).toEqual([{ path, message: expect.stringContaining('well-formed') }]);
    }
    expect(calls).toHaveLength(0);
  });
});

describe('path parameters are validated like bodies, before anything is read', () => {
  it('answers 404 NOT_FOUND for a path parameter that does not fit its schema (a 2 KB id), and passes the parsed one on', async () => {
    const { calls, call } = route();
    const long = await call(event({ pathParameters: { id: '1'.repeat(2048) }, body: '{"name":"ok"}' }));
    expect(long.statusCode).toBe(404);
    expect(long.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(long)).toMatchObject({ code: 'NOT_FOUND', detail: 'No thing has this id.' });
    expect(calls).toHaveLength(0);
    const ok = await call(event({ pathParameters: { id: '42' }, body: '{"name":"ok"}' }));
    expect(JSON.parse(ok.body)).toEqual({ id: '42' });
  });
});

describe('a JSON route and a body sent as form data', () => {
  it('tells `curl -d` users to send Content-Type: application/json instead of listing unknown fields', async () => {
    const { calls, call } = route();
    const response = await call(
      event({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, pathParameters: { id: '1' }, body: '{"name":"ok"}' }),
    );
    expect(response.statusCode).toBe(415);
    expect(problem(response)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('Content-Type: application/json') });
    expect(response.body).not.toContain('unknown field');
    expect(calls).toHaveLength(0);
  });

  it('still reads form posts on a route that takes them', async () => {
    const handler = httpHandler({ body: z.strictObject({ name: z.string() }), forms: true }, async ({ body }) => json(200, body));
    const response = (await invoke(handler, event({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=ok' }), 'test')) as { body: string };
    expect(JSON.parse(response.body)).toEqual({ name: 'ok' });
  });
});
