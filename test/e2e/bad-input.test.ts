/**
 * Bad input from outside gets a 4xx problem, never a 5xx: over-long and malformed path ids on
 * every route with a path parameter, forged cursors on every list, a JSON body sent as form data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/routes.js';
import { uniqueDomain } from '../support/environment.js';
import { emailsSettled, emailsTo, linkIn } from '../support/mail.js';
import { startTestStack, type ApiResponse, type TestStack } from '../support/local-stack.js';

let t: TestStack;
const c1 = uniqueDomain('cursor');
const c2 = uniqueDomain('cursor');

beforeAll(async () => {
  t = await startTestStack();
  // Two partners with c1, fabrikam with c2 too: every list has at least two items, so a page of one has a cursor.
  for (const [partnerId, customer] of [['fabrikam', c1], ['adatum', c1], ['fabrikam', c2]] as const) {
    const created = await t.api('POST', '/invitations', { token: await t.partnerToken(partnerId), body: { customerDomain: customer, adminEmail: `admin@${customer}` } });
    const { token } = linkIn((await emailsTo(`admin@${customer}`)).at(-1)!);
    const accepted = await t.api('POST', `/accept/${created.json?.id}`, { body: { token, decision: 'accept' }, headers: { Accept: 'application/json' } });
    expect(accepted.status).toBe(200);
  }
});

afterAll(async () => {
  await t.stop();
});

const tokenFor = (path: string) => (path.startsWith('/customer/') ? t.customerToken(c1) : t.partnerToken('fabrikam'));

function expectProblem(response: ApiResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.json).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code });
}

describe('path parameters are checked before anything is read', () => {
  const withParams = routes.filter((route) => route.path.includes('{'));

  it('answers a 2 KB id on every route with a path parameter with 404, not a DynamoDB key-size 500', async () => {
    expect(withParams.length).toBeGreaterThanOrEqual(7);
    for (const route of withParams) {
      const path = route.path.replace(/\{[^}]+\}/, 'a'.repeat(2048));
      const response = await t.api(route.method, path, { token: route.access === 'public' ? undefined : await tokenFor(route.path), headers: { Accept: 'application/json' } });
      const label = `${route.method} ${route.path}`;
      expect(response.status, label).toBe(404);
      if (route.method !== 'HEAD') expect(response.json?.code, label).toBe('NOT_FOUND');
    }
  });

  it('shows the browser the 404 page for a cut-off or mangled link', async () => {
    const response = await t.api('GET', `/accept/${'0'.repeat(5000)}?token=x`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.text).toContain('This link is not valid');
  });

  it('answers a malformed percent-escape in a path with a 404 problem from the function, whose path schema refuses it', async () => {
    for (const path of ['/accept/%E0%A4%A', '/accept/%ED%B0%80', '/invitations/%zz']) {
      expectProblem(await t.api('GET', path, { token: await tokenFor(path), headers: { Accept: 'application/json' } }), 404, 'NOT_FOUND');
    }
  });
});

describe('a cursor must have the whole shape of the list it continues', () => {
  const lists = [
    { name: 'partner invitations', path: '/invitations', token: () => t.partnerToken('fabrikam') },
    { name: 'partner relationships', path: '/relationships', token: () => t.partnerToken('fabrikam') },
    { name: 'customer relationships', path: '/customer/relationships', token: () => t.customerToken(c1) },
    { name: 'partner audit', path: '/audit', token: () => t.partnerToken('fabrikam') },
    { name: 'customer audit', path: '/audit', token: () => t.customerToken(c1) },
  ];
  const encode = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

  for (const list of lists) {
    it(`continues the ${list.name} with its own cursor and refuses every forged one with 400`, async () => {
      // Prepare: a real cursor of this list
      const token = await list.token();
      const first = await t.api('GET', `${list.path}?limit=1`, { token });
      const cursor = String(first.json?.nextCursor);
      expect((await t.api('GET', `${list.path}?limit=1&cursor=${cursor}`, { token })).status).toBe(200);
      const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, string>;
      const partition = 'GSI1PK' in key ? 'GSI1PK' : 'PK';
      // Act: every way a decodable cursor can be wrong
      const forged: [string, unknown][] = [
        ['another partition', { ...key, [partition]: key[partition]?.replace(/fabrikam|cursor-[0-9a-f]{8}/, (m) => (m === 'fabrikam' ? 'adatum' : 'other')) }],
        ['a sort key outside the query', { ...key, SK: `ELSEWHERE#${key.SK}` }],
        ['an extra attribute', { ...key, GSI2PK: 'EXPIRY#0' }],
        ['a list', [key]],
        ['a number', 7],
        ...Object.keys(key).flatMap((attribute): [string, unknown][] => {
          const { [attribute]: _dropped, ...without } = key;
          return [
            [`no ${attribute}`, without],
            [`${attribute} a number`, { ...key, [attribute]: 1 }],
            [`${attribute} empty`, { ...key, [attribute]: '' }],
            [`${attribute} over 1 KB`, { ...key, [attribute]: `${key[attribute]}${'x'.repeat(1100)}` }],
          ];
        }),
      ];
      // Assess
      for (const [label, value] of forged) {
        const response = await t.api('GET', `${list.path}?limit=1&cursor=${encode(value)}`, { token });
        expect(response.status, label).toBe(400);
        expect(response.json?.code, label).toBe('VALIDATION_FAILED');
        expect(response.json?.errors, label).toEqual([{ path: 'cursor', message: 'invalid cursor' }]);
      }
    });
  }
});

describe('a JSON body sent as form data', () => {
  it('is told to send Content-Type: application/json, not that its fields are unknown', async () => {
    // What `curl -d '{...}'` sends: JSON labelled as a form.
    const response = await t.api('POST', '/invitations', {
      token: await t.partnerToken('fabrikam'),
      body: JSON.stringify({ customerDomain: c2, adminEmail: `admin@${c2}` }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(response.json?.detail).toContain('Content-Type: application/json');
    expect(response.text).not.toContain('unknown field');
  });
});

describe('an Idempotency-Key on a POST without a body', () => {
  it('resends once and replays the answer, instead of failing to hash the missing body (500)', async () => {
    // Prepare
    const customer = uniqueDomain('resend');
    const token = await t.partnerToken('wingtip');
    const created = await t.api('POST', '/invitations', { token, body: { customerDomain: customer, adminEmail: `admin@${customer}` } });
    const headers = { 'Idempotency-Key': `resend-${customer}` };
    await emailsSettled();
    // Act
    const first = await t.api('POST', `/invitations/${created.json?.id}/resend`, { token, headers });
    const again = await t.api('POST', `/invitations/${created.json?.id}/resend`, { token, headers });
    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.text).toBe(first.text);
    expect(await emailsTo(`admin@${customer}`)).toHaveLength(2);
  });
});
