/**
 * The one HTTP middleware chain of every API function: normalise headers → the Lambda context
 * into the logger (request id, cold start) → refuse ill-formed text and validate path parameters
 * (before any read) → refuse tokens of unregistered partners → (refuse cross-site form posts) →
 * (Idempotency-Key) → parse and validate body and query → the handler; typed errors become
 * problem+json (or an HTML page) in the one error handler.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import {
  ForbiddenError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import { problemResponse, toProblem, type Problem } from './problem.js';
import { html, wantsJson, type HttpResponse } from './responses.js';
import { config } from '../config.js';
import { logger } from '../log.js';
import { refuseUnregisteredPartner } from '../partners/access.js';
import type { JwtClaims } from '../identity/caller.js';
import { findIllFormed, ILL_FORMED } from '../domain/text.js';

export { callerOf, customerDomainOf, partnerIdOf, requireCaller, type Caller } from '../identity/caller.js';

/** Bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The API Gateway v2 event, with the claims a JWT authorizer adds on protected routes. */
export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: JwtClaims } };
  };
};

export interface HttpRequest<TBody, TQuery, TParams = undefined> {
  readonly event: ApiEvent;
  readonly body: TBody;
  readonly query: TQuery;
  readonly params: TParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface HttpHandlerOptions<
  TBody extends z.ZodType | undefined,
  TQuery extends z.ZodType | undefined,
  TParams extends z.ZodType | undefined = undefined,
> {
  readonly body?: TBody;
  /** Also takes HTML form posts (the acceptance page); other routes take JSON bodies only. */
  readonly forms?: boolean;
  readonly query?: TQuery;
  /** Path parameters: one that does not fit names nothing, so 404 (detail `notFound`) before any read. */
  readonly params?: TParams;
  readonly notFound?: string;
  /** Renders errors as an HTML page for browsers (the customer's acceptance routes), in the language the request and the error call for. */
  readonly errorPage?: (problem: Problem, request: { headers: Readonly<Record<string, string | undefined>>; error: unknown }) => { body: string; headers: Record<string, string> };
  /** Honours the Idempotency-Key header (POST routes): `idempotency()` of ./idempotency.ts, imported by the function that takes it. */
  readonly idempotency?: middy.MiddlewareObj;
  /** Refuses requests a browser says come from another site (the acceptance form's POST). */
  readonly sameOriginOnly?: boolean;
}

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

/** Wraps `fn` in the chain; body, query and path parameters arrive parsed and validated, typed by their schemas. */
export function httpHandler<
  TBody extends z.ZodType | undefined = undefined,
  TQuery extends z.ZodType | undefined = undefined,
  TParams extends z.ZodType | undefined = undefined,
>(options: HttpHandlerOptions<TBody, TQuery, TParams>, fn: (request: HttpRequest<Parsed<TBody>, Parsed<TQuery>, Parsed<TParams>>) => Promise<HttpResponse>) {
  const params = new WeakMap<ApiEvent, unknown>();
  const chain = middy<ApiEvent, APIGatewayProxyResultV2, Error, Context>()
    .use(httpHeaderNormalizer())
    .use({
      onError: (request) => {
        const { problem, headers } = toProblem(request.error);
        const page = options.errorPage !== undefined && !wantsJson(request.event.headers ?? {}) ? options.errorPage(problem, { headers: request.event.headers ?? {}, error: request.error }) : undefined;
        request.response = page !== undefined ? html(problem.status, page.body, { ...headers, ...page.headers }) : problemResponse(problem, headers);
      },
    })
    // Every log line of the request carries its request id and cold start; its onError runs before the error handler's.
    .use(injectLambdaContext(logger));
  chain.use({
    before: (request) => {
      refuseIllFormedText(request.event);
      if (options.params === undefined) return;
      const parsed = options.params.safeParse(request.event.pathParameters ?? {});
      if (!parsed.success) throw new NotFoundError(options.notFound);
      params.set(request.event, parsed.data);
    },
  });
  chain.use({ before: (request) => refuseUnregisteredPartner(request.event) });
  if (options.sameOriginOnly === true) chain.use({ before: (request) => refuseCrossSite(request.event) });
  if (options.idempotency !== undefined) chain.use(options.idempotency);
  return chain.handler(async (event) => {
    const headers = event.headers ?? {};
    const body = options.body === undefined ? undefined : validate(options.body, parseBody(event, options.forms === true), 'body');
    const query = options.query === undefined ? undefined : validate(options.query, event.queryStringParameters ?? {}, 'query');
    const response = await fn({
      event,
      headers,
      params: params.get(event) as Parsed<TParams>,
      body: body as Parsed<TBody>,
      query: query as Parsed<TQuery>,
    });
    return event.requestContext.http.method === 'HEAD' ? { ...response, body: '' } : response;
  });
}

/**
 * A form on another site must not be able to accept on the admin's behalf: refuse what the
 * browser marks as cross-site, and any Origin other than the one the emailed links point at.
 * Clients that are not browsers send neither header and are not affected.
 */
function refuseCrossSite(event: ApiEvent): void {
  const headers = event.headers ?? {};
  const site = headers['sec-fetch-site'];
  const origin = headers.origin;
  // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even from our own page;
  // then only the browser's own word (Sec-Fetch-Site: same-origin) lets the answer through.
  const foreignOrigin = origin === 'null' ? site !== 'same-origin' : origin !== undefined && origin !== new URL(config().publicBaseUrl).origin;
  if (site === 'cross-site' || site === 'same-site' || foreignOrigin) {
    throw new ForbiddenError('CROSS_SITE_REQUEST', 'This answer must be given on the page the emailed link opens.');
  }
}

/**
 * Refuses ill-formed Unicode (a lone UTF-16 surrogate) in every text a request carries: headers,
 * query string and path parameters here, bodies once parsed (`parseBody`). Nothing downstream
 * (a schema, the SES serialiser) ever sees such a string.
 */
function refuseIllFormedText(event: ApiEvent): void {
  const parts = [
    ['headers', event.headers],
    ['query', event.queryStringParameters],
    ['path', event.pathParameters],
  ] as const;
  for (const [where, values] of parts) {
    const path = findIllFormed(values ?? {});
    if (path !== undefined) throw new ValidationError(`The ${where} is not valid.`, [{ path: path.join('.'), message: ILL_FORMED }]);
  }
}

/** Reads a JSON body (or, with `forms`, a form-encoded one), refusing oversized, malformed, ill-formed or unsupported ones. */
function parseBody(event: ApiEvent, forms: boolean): unknown {
  const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  if (raw.trim() === '') throw new ValidationError('A request body is required.', [{ path: '', message: 'body is empty' }]);
  const type = (event.headers?.['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json' || type?.endsWith('+json')) {
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      throw new MalformedJsonError();
    }
    const path = findIllFormed(body);
    if (path !== undefined) throw new ValidationError('The body is not valid.', [{ path: path.join('.'), message: ILL_FORMED }]);
    return body;
  }
  if (type === 'application/x-www-form-urlencoded' && forms) {
    // A field sent more than once (ticked checkboxes) becomes a list.
    const form: Record<string, string | string[]> = {};
    for (const [name, value] of new URLSearchParams(raw)) {
      const seen = form[name];
      form[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    return form;
  }
  // `curl -d '{...}'` labels JSON as a form: say what to send instead of reporting its fields as unknown.
  throw new UnsupportedMediaTypeError(`Content-Type ${type ?? ''} is not supported here: send the body as JSON, with Content-Type: application/json.`);
}

/** Validates against a schema; every issue becomes `{ path, message }`. */
export function validate<T extends z.ZodType>(schema: T, input: unknown, where: 'body' | 'query'): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: path === '' ? key : `${path}.${key}`, message: 'unknown field' }));
    }
    return [{ path, message: issue.message }];
  });
  throw new ValidationError(`The ${where} is not valid.`, errors);
}
