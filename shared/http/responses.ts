/** Response builders, so headers are written once. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The pages' Content-Security-Policy. A page whose form signs in names the identity provider's
 * origin too: the form posts here, and browsers check the redirect to the provider against form-action.
 */
export function contentSecurityPolicy(formActionOrigins: readonly string[] = []): string {
  return `default-src 'none'; style-src 'unsafe-inline'; form-action ${["'self'", ...formActionOrigins].join(' ')}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`;
}

/** Headers of every acceptance page: no script may run, nothing may frame it, nothing is cached or leaked by referrer. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': contentSecurityPolicy(),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
};

/** An HTML page response. */
export function html(statusCode: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...PAGE_HEADERS, ...headers }, body };
}

/** True when the client prefers JSON over HTML (API clients of the acceptance routes). */
export function wantsJson(headers: Record<string, string | undefined>): boolean {
  const accept = headers.accept ?? '';
  return /application\/(problem\+)?json/i.test(accept) && !/text\/html/i.test(accept);
}
