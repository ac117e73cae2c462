/** API Gateway v2 events as the HTTP API (or the local gateway) hands them to a function. */
import { randomUUID } from 'node:crypto';
import type { ApiEvent } from '../../shared/http/handler.js';
import type { JwtClaims } from '../../shared/identity/caller.js';

/** An event for `method path`, with verified claims when `claims` is given (`claimsFor` shapes them as a token would carry them). */
export function apiEvent(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; claims?: JwtClaims; pathParameters?: Record<string, string> } = {},
): ApiEvent {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    pathParameters: options.pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(options.claims === undefined ? {} : { authorizer: { jwt: { claims: { token_use: 'access', ...options.claims } } } }),
    },
  } as ApiEvent;
}

/** The same Lambda context the local gateway gives a function. */
export { lambdaContext } from '../../infra/local/gateway.js';
