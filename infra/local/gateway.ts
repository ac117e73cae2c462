/**
 * The local stand-in for the HTTP API: serves the route table, verifies partner tokens like
 * the JWT authorizer, turns each request into an API Gateway v2 event and calls the function's
 * handler in this process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { routes as routeTable, type FunctionName, type Route } from '../routes.js';
import type { ApiEvent } from '../../shared/http/handler.js';
import { MAX_BODY_BYTES } from '../../shared/http/handler.js';
import { problemResponse, toProblem } from '../../shared/http/problem.js';
import { PayloadTooLargeError } from '../../shared/errors.js';
import { readBody } from './http.js';
import { verifyToken, type LocalKeys } from './jwt.js';
import { invoke } from './invoke.js';

/** A function's Lambda handler as the gateway calls it. */
export type Handler = (event: ApiEvent, context: Context) => Promise<APIGatewayProxyResultV2>;

const functionsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'functions');
const loaded = new Map<FunctionName, Promise<Handler>>();

function loadHandler(name: FunctionName): Promise<Handler> {
  let handler = loaded.get(name);
  if (handler === undefined) {
    handler = import(pathToFileURL(join(functionsDir, `${name}.ts`)).href).then((module: { handler: Handler }) => module.handler);
    loaded.set(name, handler);
  }
  return handler;
}

interface Match {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** How specific a route is, segment by segment: a literal segment beats a `{parameter}` where they first differ. */
function bySpecificity(a: Route, b: Route): number {
  const left = a.path.split('/');
  const right = b.path.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const aParam = left[i]!.startsWith('{');
    const bParam = right[i]!.startsWith('{');
    if (aParam !== bParam) return aParam ? 1 : -1;
  }
  return 0;
}

/**
 * Finds the route for a method and path, preferring literal segments over parameters as API
 * Gateway does (`GET /accept/callback` before `GET /accept/{id}`). A path parameter that is not
 * valid percent-encoded UTF-8 is handed over as it came: the function's path schema refuses it
 * (404), as it refuses any id that names nothing.
 */
export function matchRoute(routes: readonly Route[], method: string, path: string): Match | undefined {
  const segments = path.split('/');
  for (const route of [...routes].sort(bySpecificity)) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = template.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) {
        if (segment === '') return false;
        params[part.slice(1, -1)] = decodeSegment(segment);
        return true;
      }
      return part === segment;
    });
    if (fits) return { route, params };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface GatewayOptions {
  readonly keys: LocalKeys;
  readonly routes?: readonly Route[];
  /** One line per request: method, path (never the query string), status, duration. */
  readonly log?: (line: string) => void;
  /** Sees every answer as the client gets it (the contract test checks each against the OpenAPI document). */
  readonly onResponse?: (response: ObservedResponse) => void;
  /** Where each function's handler comes from; by default `functions/<name>.ts` (the benchmark passes the bundled assets). */
  readonly loadHandler?: (name: FunctionName) => Promise<Handler>;
  /** Called with how long each stage of a request took (ms); for the benchmark's breakdown. */
  readonly onStage?: (stage: GatewayStage, ms: number) => void;
}

/** The gateway's own stages of a request: read the body, verify the token, build the event, run the handler, write the response. */
export type GatewayStage = 'read' | 'authorize' | 'event' | 'handler' | 'send';

/** An answer of the gateway: the route it matched (none for its own 404 and /health), the status, headers (lower-case names) and body sent. */
export interface ObservedResponse {
  readonly route: Route | undefined;
  readonly method: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type Reply = (result: Exclude<APIGatewayProxyResultV2, string>, headOnly?: boolean) => void;

/** Creates the gateway's HTTP server (not yet listening). */
export function createGateway(options: GatewayOptions): Server {
  const routes = options.routes ?? routeTable;
  return createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const matched: { route?: Route } = {};
    const reply: Reply = (result, headOnly = false) => {
      if (!send(res, result, headOnly)) return;
      options.onResponse?.({ route: matched.route, method: (req.method ?? 'GET').toUpperCase(), ...observed(result, headOnly) });
    };
    handle(req, reply, routes, options, matched)
      .catch((error: unknown) => {
        const { problem, headers } = toProblem(error);
        reply(problemResponse(problem, headers));
      })
      .finally(() => options.log?.(`${req.method} ${path} ${res.statusCode} ${Math.round(performance.now() - started)}ms`));
  });
}

async function handle(req: IncomingMessage, reply: Reply, routes: readonly Route[], options: GatewayOptions, matched: { route?: Route }): Promise<void> {
  const { keys, onStage } = options;
  let mark = performance.now();
  const lap = (stage: GatewayStage) => {
    if (onStage === undefined) return;
    const at = performance.now();
    onStage(stage, at - mark);
    mark = at;
  };
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  if (url.pathname === '/health' && (method === 'GET' || method === 'HEAD')) {
    reply({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: method === 'HEAD' ? '' : '{"status":"ok"}' });
    return;
  }
  const match = matchRoute(routes, method, url.pathname);
  if (match === undefined) {
    // An HTTP API answers a method or path it has no route for itself (a wrong method too: no 405).
    reply(gatewayMessage(404, 'Not Found'), method === 'HEAD');
    return;
  }
  matched.route = match.route;
  // Refuses more than the API accepts without buffering it all.
  const body = await readBody(req, MAX_BODY_BYTES, () => new PayloadTooLargeError(MAX_BODY_BYTES));
  lap('read');
  const claims = match.route.access === 'public' ? undefined : await authorize(req, keys);
  lap('authorize');
  if (claims === null) {
    reply(gatewayMessage(401, 'Unauthorized'), method === 'HEAD');
    return;
  }
  const event = toEvent(req, url, match, body, claims);
  const handler = await (options.loadHandler ?? loadHandler)(match.route.function);
  lap('event');
  const result = await invoke(handler, event, match.route.function);
  lap('handler');
  reply(typeof result === 'string' ? { statusCode: 200, headers: {}, body: result } : result, method === 'HEAD');
  lap('send');
}

/** Verifies the bearer token as the HTTP API's JWT authorizer does (signature, issuer, audience, expiry): its claims, or null. */
async function authorize(req: IncomingMessage, keys: LocalKeys): Promise<Record<string, string | number | boolean | string[]> | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (match?.[1] === undefined) return null;
  try {
    return (await verifyToken(keys, match[1])) as Record<string, string | number | boolean | string[]>;
  } catch {
    return null;
  }
}

/**
 * What API Gateway answers by itself, before any function runs, in the one shape an HTTP API
 * cannot change: `{"message": ...}` as application/json. No route for the method and path: 404
 * "Not Found". A missing or invalid bearer token on a guarded route: 401 "Unauthorized".
 */
function gatewayMessage(statusCode: 401 | 404, message: 'Unauthorized' | 'Not Found'): Exclude<APIGatewayProxyResultV2, string> {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message }) };
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  match: Match,
  body: string,
  claims: Record<string, string | number | boolean | string[]> | undefined,
): ApiEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${match.route.method} ${match.route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: req.headers.cookie?.split(';').map((c) => c.trim()),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: Object.keys(match.params).length > 0 ? match.params : undefined,
    body: body === '' ? undefined : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: match.route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${match.route.method} ${match.route.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      ...(claims === undefined ? {} : { authorizer: { jwt: { claims: asHttpApiClaims(claims), scopes: [] } } }),
    },
  } as ApiEvent;
}

/** The claims as an HTTP API hands them to a function: a number or a boolean arrives as a string (`"exp": "1767225600"`). */
function asHttpApiClaims(claims: Record<string, string | number | boolean | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, typeof value === 'number' || typeof value === 'boolean' ? String(value) : value]));
}

/** What the client receives of a result: status, headers by lower-case name, and the body as text. */
function observed(result: Exclude<APIGatewayProxyResultV2, string>, headOnly: boolean): Pick<ObservedResponse, 'status' | 'headers' | 'body'> {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const body = headOnly || result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  return { status: result.statusCode ?? 200, headers, body };
}

/** Writes the result; false when an answer was already sent. */
function send(res: ServerResponse, result: Exclude<APIGatewayProxyResultV2, string>, headOnly = false): boolean {
  if (res.headersSent) return false;
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  res.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  if (result.cookies !== undefined) res.setHeader('Set-Cookie', result.cookies);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(headOnly ? undefined : body);
  return true;
}
