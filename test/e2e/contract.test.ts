/**
 * The OpenAPI document tells the whole truth: it is valid, it describes every route, the check
 * every e2e file runs on each answer catches what the document does not say, and the answers
 * live traffic found undocumented are now documented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/routes.js';
import type { ObservedResponse } from '../../infra/local/gateway.js';
import { openApiDocument } from '../../shared/http/openapi.js';
import { uniqueDomain } from '../support/environment.js';
import { emailsSettled, newestLinkFor } from '../support/mail.js';
import { contractValidator, openApiAjv } from '../support/contract.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

type Content = Record<string, { schema?: unknown }>;
type Operation = {
  operationId?: string;
  tags?: string[];
  description?: string;
  parameters?: { name: string; schema: unknown }[];
  requestBody?: { content: Content };
  responses: Record<string, { content?: Content }>;
};

const document = openApiDocument(routes);
const paths = document.paths as Record<string, Record<string, Operation>>;
const route = (method: string, path: string) => routes.find((r) => r.method === method && r.path === path);

const invitation = {
  id: '0b6f2c1e-4d4b-4c1a-9d8e-2f6a1c3b5d7e',
  partnerId: 'fabrikam',
  partnerName: 'Fabrikam',
  customerDomain: 'contoso.com',
  adminEmail: 'admin@contoso.com',
  roles: ['DIRECTORY_READER'],
  durationDays: 365,
  autoExtend: true,
  locale: 'en',
  status: 'PENDING',
  createdAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-15T00:00:00.000Z',
  resendCount: 0,
  email: { status: 'SENT', at: '2026-01-01T00:00:00.000Z' },
};

const answer = (method: string, path: string, status: number, body: unknown, headers: Record<string, string> = {}): ObservedResponse => ({
  route: route(method, path),
  method,
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('the OpenAPI document', () => {
  it('describes every route of the route table with an operationId, a tag and a description, each operationId once', () => {
    const ids = routes.map((r) => {
      const operation = paths[r.path]?.[r.method.toLowerCase()];
      expect(operation, `${r.method} ${r.path}`).toBeDefined();
      expect(operation?.tags?.length, `${r.method} ${r.path} tag`).toBe(1);
      expect(operation?.description, `${r.method} ${r.path} description`).toMatch(/\w/);
      return operation?.operationId;
    });
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(new Set(ids).size).toBe(routes.length);
  });

  it('has schemas that Ajv compiles strictly as JSON Schema 2020-12, and marks what every answer always carries as required', () => {
    const ajv = openApiAjv({ strict: true });
    const schemas = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    // `strict` refuses unknown keywords, so the components go under `$defs` and each ref is pointed there.
    const rehome = (schema: unknown) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"urn:contract:components#/$defs/')) as object;
    ajv.addSchema({ $id: 'urn:contract:components', $defs: rehome(schemas) });
    for (const name of Object.keys(schemas)) expect(() => ajv.getSchema(`urn:contract:components#/$defs/${name}`), name).not.toThrow();
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            if (media.schema !== undefined) expect(() => ajv.compile(rehome(media.schema)), `${method} ${path} ${status} ${type}`).not.toThrow();
          }
        }
        for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
          expect(() => ajv.compile(media.schema as object), `${method} ${path} request ${type}`).not.toThrow();
        }
        for (const parameter of operation.parameters ?? []) {
          expect(() => ajv.compile(parameter.schema as object), `${method} ${path} parameter ${parameter.name}`).not.toThrow();
        }
      }
    }
    for (const name of ['Invitation', 'Relationship', 'AuditEvent', 'Problem', 'InvitationPage', 'Decision']) {
      expect((schemas[name]?.required as string[] | undefined)?.length, name).toBeGreaterThan(0);
    }
    expect(schemas.AuditEvent?.properties).toHaveProperty('actor.oneOf');
  });
});

describe('the contract check on each answer', () => {
  const check = contractValidator(document);

  it('passes an answer the document describes', () => {
    expect(check(answer('POST', '/invitations', 201, invitation, { location: `/invitations/${invitation.id}` }))).toEqual([]);
  });

  it('fails an undocumented status', () => {
    expect(check(answer('POST', '/invitations', 418, { code: 'TEAPOT' })).join()).toContain('POST /invitations → 418: undocumented status');
  });

  it('fails an undocumented content type', () => {
    expect(check(answer('GET', '/invitations', 200, '<p>hi</p>', { 'content-type': 'text/html' })).join()).toContain('undocumented content type "text/html"');
  });

  it('fails a body that does not match its schema: a missing field, a leaked field, a problem code the status never carries', () => {
    const { status: _status, ...withoutStatus } = invitation;
    expect(check(answer('GET', '/invitations/{id}', 200, withoutStatus)).join()).toContain("must have required property 'status'");
    expect(check(answer('GET', '/invitations/{id}', 200, { ...invitation, tokenHash: 'x' })).join()).toContain('must NOT have additional properties');
    const problem = { type: 'urn:x', title: 'Conflict', status: 409, detail: 'd', code: 'NOT_ACTIVE' };
    expect(check(answer('DELETE', '/invitations/{id}', 409, problem, { 'content-type': 'application/problem+json' })).join()).toContain('allowed values');
  });

  it('fails a required header that is missing (Location on 201)', () => {
    expect(check(answer('POST', '/invitations', 201, invitation)).join()).toContain('required header Location is missing');
  });
});

describe('answers live traffic found undocumented, now documented', () => {
  let t: TestStack;
  const quota = process.env.INVITATION_QUOTA_PER_DAY;

  beforeAll(async () => {
    process.env.INVITATION_QUOTA_PER_DAY = '2';
    t = await startTestStack();
  });

  afterAll(async () => {
    if (quota === undefined) delete process.env.INVITATION_QUOTA_PER_DAY;
    else process.env.INVITATION_QUOTA_PER_DAY = quota;
    await t.stop();
  });

  it('serves the document it is built from', async () => {
    const served = await t.api('GET', '/openapi.json');
    expect(served.status).toBe(200);
    expect(served.json).toEqual(document);
  });

  it('documents every refusal of POST /invitations, the lists, the Idempotency-Key, the link and the audit actor', async () => {
    const partner = await t.partnerToken('wingtip');
    const customer = uniqueDomain();
    const body = { customerDomain: customer, adminEmail: `admin@${customer}` };
    const statuses: Record<string, number> = {};
    const call = async (name: string, ...args: Parameters<TestStack['api']>) => {
      statuses[name] = (await t.api(...args)).status;
    };

    await call('415', 'POST', '/invitations', { token: partner, body: JSON.stringify(body), headers: { 'Content-Type': 'text/plain' } });
    await call('long key', 'POST', '/invitations', { token: partner, body, headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    await call('created', 'POST', '/invitations', { token: partner, body });
    const invitationId = (await t.api('GET', '/invitations', { token: partner })).json?.items[0].id as string;
    await call('resend long key', 'POST', `/invitations/${invitationId}/resend`, { token: partner, headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    const second = uniqueDomain();
    await call('second', 'POST', '/invitations', { token: partner, body: { customerDomain: second, adminEmail: `admin@${second}` } });
    const third = uniqueDomain();
    await call('429', 'POST', '/invitations', { token: partner, body: { customerDomain: third, adminEmail: `admin@${third}` } });
    for (const query of ['status=NOPE', 'limit=0', 'cursor=bm90LWEta2V5']) await call(`list ${query}`, 'GET', `/invitations?${query}`, { token: partner });
    await call('relationships limit', 'GET', '/relationships?limit=500', { token: partner });
    await call('csv format', 'GET', '/customer/relationships?format=xml', { token: await t.customerToken(customer) });
    await call('audit cursor', 'GET', '/audit?cursor=e30', { token: partner });

    const { token: first } = await newestLinkFor(`admin@${customer}`, invitationId);
    const link = `/accept/${invitationId}`;
    const json = { Accept: 'application/json' };
    await call('show json', 'GET', `${link}?token=${first}`, { headers: json });
    await call('resend', 'POST', `/invitations/${invitationId}/resend`, { token: partner });
    await emailsSettled();
    await call('410 html', 'GET', `${link}?token=${first}`);
    await call('410 json', 'GET', `${link}?token=${first}`, { headers: json });
    await call('410 head', 'HEAD', `${link}?token=${first}`);
    const { token } = await newestLinkFor(`admin@${customer}`, invitationId);
    await call('404 html', 'GET', `${link}?token=wrong`);
    await call('404 json', 'GET', `${link}?token=wrong`, { headers: json });
    await call('403 cross-site', 'POST', link, { body: { token, decision: 'accept' }, headers: { ...json, 'Sec-Fetch-Site': 'cross-site' } });
    await call('400 decision', 'POST', link, { body: { token, decision: 'maybe' }, headers: json });
    await call('400 html', 'POST', link, { body: `token=${token}&decision=maybe`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    await call('accept', 'POST', link, { body: { token, decision: 'accept' }, headers: json });
    await call('409 html', 'GET', `${link}?token=${token}`);
    await call('409 json', 'POST', link, { body: { token, decision: 'accept' }, headers: json });
    await call('audit', 'GET', '/audit', { token: partner });

    expect(statuses).toEqual({
      415: 415,
      'long key': 400,
      created: 201,
      'resend long key': 400,
      second: 201,
      429: 429,
      'list status=NOPE': 400,
      'list limit=0': 400,
      'list cursor=bm90LWEta2V5': 400,
      'relationships limit': 400,
      'csv format': 400,
      'audit cursor': 400,
      'show json': 200,
      resend: 202,
      '410 html': 410,
      '410 json': 410,
      '410 head': 410,
      '404 html': 404,
      '404 json': 404,
      '403 cross-site': 403,
      '400 decision': 400,
      '400 html': 400,
      accept: 200,
      '409 html': 409,
      '409 json': 409,
      audit: 200,
    });
    expect(t.contractViolations()).toEqual([]);
  });
});
