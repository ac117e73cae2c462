/**
 * A seeded property-based fuzzer over HTTP, through the local gateway: thousands of generated
 * requests across every route of the route table and every kind of token, with generated paths,
 * query strings, headers and bodies. No answer may be a 5xx, every JSON error must be a complete
 * problem+json document (API Gateway's own 401 and 404 aside, which have its shape), and the
 * product's story must still work afterwards.
 *
 * FUZZ_SEED and FUZZ_RUNS override the seed and the number of requests.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/routes.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKeys, signToken } from '../../infra/local/jwt.js';
import { uniqueDomain } from '../support/environment.js';
import { emailsTo, linkIn } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_507);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const IN_FLIGHT = 8;

let t: TestStack;
/** What the generators draw real values from: a pending invitation and its link, a customer, a cursor, every kind of token. */
let known: { invitationId: string; secret: string; customer: string; cursor: string; tokens: Record<string, string | undefined> };

beforeAll(async () => {
  t = await startTestStack();
  const customer = uniqueDomain('fuzz');
  const invite = async (partnerId: string, domain: string) =>
    t.api('POST', '/invitations', { token: await t.partnerToken(partnerId), body: { customerDomain: domain, adminEmail: `admin@${domain}` } });
  const pending = await invite('fabrikam', customer);
  await invite('fabrikam', uniqueDomain('fuzz'));
  const accepted = await invite('adatum', customer);
  const link = (await emailsTo(`admin@${customer}`)).map(linkIn);
  const adatumLink = link.find((l) => l.invitationId === accepted.json?.id);
  await t.api('POST', `/accept/${adatumLink?.invitationId}`, { body: { token: adatumLink?.token, decision: 'accept' }, headers: { Accept: 'application/json' } });
  const page = await t.api('GET', '/invitations?limit=1', { token: await t.partnerToken('fabrikam') });
  const stranger = await loadOrCreateKeys(await mkdtemp(join(tmpdir(), 'fuzz-stranger-')));
  const keys = t.stack.keys;
  const claims = { partner_id: 'fabrikam', token_use: 'access' };
  known = {
    invitationId: String(pending.json?.id),
    secret: link.find((l) => l.invitationId === pending.json?.id)?.token ?? '',
    customer,
    cursor: String(page.json?.nextCursor),
    tokens: {
      none: undefined,
      partner: await t.partnerToken('fabrikam'),
      'other partner': await t.partnerToken('adatum'),
      'unregistered partner': await t.partnerToken('nobody-registered'),
      customer: await t.customerToken(customer),
      'other customer': await t.customerToken(uniqueDomain('fuzz')),
      forged: await signToken(stranger, { kind: 'partner', partnerId: 'fabrikam' }),
      expired: await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(keys.privateKey),
      'not a sign-in token': await new SignJWT({ ...claims, token_use: 'refresh' })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setExpirationTime('1h')
        .sign(keys.privateKey),
      'both kinds': await new SignJWT({ ...claims, customer_domain: customer })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setExpirationTime('1h')
        .sign(keys.privateKey),
      garbage: 'abc.def.ghi',
    },
  };
});

afterAll(async () => {
  await t.stop();
});

/** Percent-encodes any string, lone surrogates included (as the invalid UTF-8 a client could send). */
const encode = (value: string) => Array.from(value, (ch) => (ch.isWellFormed() ? encodeURIComponent(ch) : '%ED%B0%80')).join('');

interface FuzzRequest {
  /** The route of the table it was generated from (`GET /invitations/{id}`), if any. */
  readonly route?: string;
  readonly method: string;
  readonly path: string;
  readonly token: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
}

function requests(): fc.Arbitrary<FuzzRequest> {
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom('hello \udfff', '\ud800', 'evil\u202emoc.elgoog', 'zero\u200bwidth', 'a\u0000b', 'line\r\nBcc: x@evil.example', '<script>alert(1)</script>'),
    fc.integer({ min: 200, max: 3000 }).map((n) => 'x'.repeat(n)),
  );
  const segment = fc.oneof(
    fc.constant(known.invitationId),
    fc.uuid(),
    fc.constantFrom('fabrikam', 'adatum', 'FABRIKAM', known.customer, 'contoso.com', 'xn--mller-kva.de', 'a'.repeat(2048), '0'.repeat(5000)),
    fc.constantFrom('%', '%E0%A4%A', '%ED%B0%80', '%zz', '%00', '%C0%AF', '%2F', '%20', '..', '.', '~', '%25'),
    fc.integer({ min: 1000, max: 6000 }).map((n) => 'b'.repeat(n)),
    text.filter((value) => value !== '').map(encode),
    fc.domain(),
  );
  const route = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...routes).chain((r) => fc.tuple(fc.constant(r.method as string), fc.array(segment, { minLength: 2, maxLength: 2 })).map(([method, [a, b]]) => ({ route: `${r.method} ${r.path}`, method, path: r.path.replace(/\{[^}]+\}/, a ?? '').replace(/\{[^}]+\}/, b ?? '') }))) },
    {
      weight: 1,
      arbitrary: fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        path: fc.oneof(fc.constantFrom('/', '/nowhere', '/invitations/', '/accept', '/openapi.json/x', '/health', '/invitations/x/resend/y'), fc.constantFrom(...routes.map((r) => r.path))),
      }),
    },
  );
  const queryValue = fc.oneof(
    fc.constantFrom('1', '25', '100', '0', '-1', '101', '1e400', 'NaN', 'abc', '', '2.5', 'PENDING', 'ACCEPTED', 'ACTIVE', 'EXPIRED', 'nope', 'csv', 'json', 'xml'),
    fc.constant(known.cursor),
    fc.constant(known.secret),
    fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')),
    fc.dictionary(fc.constantFrom('PK', 'SK', 'GSI1PK', 'GSI1SK', 'x'), fc.oneof(fc.string(), fc.constantFrom('PARTNER#adatum#INVITATIONS', 'PARTNER#fabrikam', 'INVITATION', '', 'x'.repeat(1500)), fc.integer())).map((key) => Buffer.from(JSON.stringify(key)).toString('base64url')),
    text,
  );
  const query = fc
    .array(fc.tuple(fc.constantFrom('limit', 'cursor', 'status', 'format', 'token', 'x', '', 'limit[]', '__proto__', 'utm_source'), queryValue), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`));
  const headerText = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 300 });
  const headers = fc.record(
    {
      'Content-Type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/problem+json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'garbage', ';'),
      Accept: fc.constantFrom('application/json', 'application/problem+json', 'text/html', '*/*', 'text/html, application/json', 'image/png'),
      'Idempotency-Key': fc.oneof(fc.uuid(), headerText, fc.constant('k'.repeat(300))),
      Origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost'),
      'Sec-Fetch-Site': fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none', 'weird'),
      Authorization: fc.constantFrom('Basic Zm9vOmJhcg==', 'Bearer', 'Bearer  ', 'bearer x y'),
    },
    { requiredKeys: [] },
  );
  const createBody = fc.record(
    {
      customerDomain: fc.oneof(fc.domain(), fc.constant(known.customer), text, fc.integer(), fc.constant(null)),
      adminEmail: fc.oneof(fc.emailAddress(), fc.constant(`admin@${known.customer}`), text, fc.array(fc.string(), { maxLength: 2 })),
      customerName: text,
      roles: fc.oneof(fc.subarray(['USER_ADMIN', 'DIRECTORY_READER', 'GLOBAL_ADMIN', 'BILLING_ADMIN', 'ROOT']), fc.string(), fc.constant([])),
      durationDays: fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.double(), fc.string()),
      autoExtend: fc.oneof(fc.boolean(), fc.string()),
      locale: fc.oneof(fc.constantFrom('en', 'de-DE', 'zz-ZZZZZZZZZ'), text),
      message: text,
      partnerId: fc.constant('adatum'),
    },
    { requiredKeys: [] },
  );
  const decisionBody = fc.record(
    {
      token: fc.oneof(fc.constant(known.secret), fc.string(), fc.constant('a'.repeat(300))),
      decision: fc.oneof(fc.constantFrom('accept', 'decline'), text),
      roles: fc.oneof(fc.subarray(['USER_ADMIN', 'DIRECTORY_READER', 'GLOBAL_ADMIN', 'ROOT']), fc.string()),
      rolesChosen: fc.constantFrom('1', '0'),
      durationDays: fc.oneof(fc.integer({ min: -1, max: 1000 }).map(String), fc.string()),
      reason: text,
    },
    { requiredKeys: [] },
  );
  const asForm = (value: Record<string, unknown>) =>
    Object.entries(value)
      .flatMap(([k, v]) => (Array.isArray(v) ? v.map((item) => [k, item] as const) : [[k, v] as const]))
      .map(([k, v]) => `${encode(k)}=${encode(String(v))}`)
      .join('&');
  const body = fc.oneof(
    createBody.map((value) => JSON.stringify(value)),
    decisionBody.map((value) => JSON.stringify(value)),
    decisionBody.map(asForm),
    createBody.map(asForm),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    createBody.chain((value) => {
      const json = JSON.stringify(value);
      return fc.integer({ min: 0, max: Math.max(0, json.length - 1) }).map((cut) => json.slice(0, cut));
    }),
    fc.constantFrom('', ' ', 'null', '[]', '{}', '"x"', '{"message":"hello \\udfff"}', '{"\\ud800":1}', `{"token":"${'x'.repeat(70_000)}"}`),
    fc.integer({ min: 1, max: 40_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.uint8Array({ maxLength: 200 }),
  );
  return fc
    .record({
      route,
      query,
      token: fc.constantFrom(...Object.keys(known.tokens)),
      headers,
      body: fc.option(body, { nil: undefined }),
    })
    .map(({ route: { method, path, ...from }, query: search, token, headers: extra, body: payload }) => ({
      route: 'route' in from ? from.route : undefined,
      method,
      path: `${path}${search}`,
      token,
      headers: extra,
      body: method === 'GET' || method === 'HEAD' ? undefined : payload,
    }));
}

interface Outcome {
  readonly request: FuzzRequest;
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

async function send(request: FuzzRequest): Promise<Outcome> {
  const token = known.tokens[request.token];
  const headers = { ...request.headers, ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) };
  const response = await fetch(`${t.stack.apiUrl}${request.path}`, { method: request.method, headers, body: request.body });
  return { request, status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

const GATEWAY_UNAUTHORIZED = '{"message":"Unauthorized"}';
const GATEWAY_NOT_FOUND = '{"message":"Not Found"}';

/** What is wrong with an answer, if anything: a 5xx, or an error that is not a complete problem document (an HTML page on /accept aside). */
function defectOf({ request, status, contentType, text }: Outcome): string | undefined {
  if (status >= 500) return `${status}`;
  if (status < 400) return undefined;
  const page = contentType.startsWith('text/html') && request.path.startsWith('/accept/');
  if (page) return undefined;
  // API Gateway's own answers, before any function runs, in the one shape an HTTP API cannot change (a HEAD's without the body).
  const gateways = request.method === 'HEAD' ? text === '' : (status === 401 && text === GATEWAY_UNAUTHORIZED) || (status === 404 && text === GATEWAY_NOT_FOUND);
  if (contentType === 'application/json' && (status === 401 || status === 404) && gateways) return undefined;
  if (!contentType.startsWith('application/problem+json')) return `${status} as ${contentType || 'no content type'}`;
  if (request.method === 'HEAD') return undefined;
  try {
    const problem = JSON.parse(text) as Record<string, unknown>;
    const complete =
      typeof problem.type === 'string' && typeof problem.title === 'string' && problem.status === status && typeof problem.detail === 'string' && typeof problem.code === 'string';
    return complete ? undefined : `${status} with an incomplete problem: ${text.slice(0, 200)}`;
  } catch {
    return `${status} with a body that is not JSON`;
  }
}

describe('a seeded fuzzer over every route and every kind of token', () => {
  it(`answers ${RUNS} generated requests without a 5xx, every error a problem, and the story still works`, { timeout: 120_000 }, async () => {
    // Prepare
    const generated = fc.sample(requests(), { seed: SEED, numRuns: RUNS });
    const outcomes: Outcome[] = [];
    const started = performance.now();
    // Act: a few requests in flight at a time
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < generated.length; i = next++) outcomes.push(await send(generated[i]!));
      }),
    );
    // Assess
    const defects = outcomes.flatMap((outcome) => {
      const defect = defectOf(outcome);
      return defect === undefined ? [] : [`${defect}: ${outcome.request.method} ${outcome.request.path.slice(0, 160)} (token: ${outcome.request.token})`];
    });
    const fiveHundreds = outcomes.filter((o) => o.status >= 500).length;
    const statuses = [...new Set(outcomes.map((o) => o.status))].sort().join(',');
    console.log(
      `fuzz: ${outcomes.length} requests, seed ${SEED}, ${fiveHundreds} 5xx, ${defects.length} defects, statuses ${statuses}, ${Math.round(performance.now() - started)} ms`,
    );
    expect(outcomes).toHaveLength(RUNS);
    expect(new Set(outcomes.map((o) => o.request.route).filter((r) => r !== undefined)).size, 'every route of the table').toBe(routes.length);
    expect(new Set(outcomes.map((o) => o.request.token)).size, 'every kind of token').toBe(Object.keys(known.tokens).length);
    expect(defects.slice(0, 10)).toEqual([]);

    // The story after the storm: create → open the link → accept → listed ACTIVE.
    const customer = uniqueDomain('after-fuzz');
    const partner = await t.partnerToken('wingtip');
    const created = await t.api('POST', '/invitations', { token: partner, body: { customerDomain: customer, adminEmail: `admin@${customer}` } });
    expect(created.status).toBe(201);
    const { url, token } = linkIn((await emailsTo(`admin@${customer}`))[0]!);
    expect((await fetch(url)).status).toBe(200);
    const accepted = await t.api('POST', url.pathname, { body: { token, decision: 'accept' }, headers: { Accept: 'application/json' } });
    expect(accepted.status).toBe(200);
    const listed = await t.api('GET', '/relationships?status=ACTIVE', { token: partner });
    expect(listed.json?.items).toContainEqual(expect.objectContaining({ customerDomain: customer, status: 'ACTIVE' }));
  });
});
