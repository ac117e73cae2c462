import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGateway, matchRoute } from '../../infra/local/gateway.js';
import { loadOrCreateKeys, signToken } from '../../infra/local/jwt.js';
import { functions, routes } from '../../infra/routes.js';

describe('the route table', () => {
  it('names only functions of the catalogue, each route once', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of routes) expect(Object.keys(functions)).toContain(route.function);
  });

  it('puts partner routes behind a partner token, customer routes behind a customer token, and the emailed link in public', () => {
    const expected = (path: string) =>
      path.startsWith('/accept') || path === '/openapi.json'
        ? 'public'
        : path.startsWith('/customer/')
          ? 'customer'
          : path === '/audit'
            ? 'partner-or-customer'
            : 'partner';
    for (const route of routes) expect(route.access, `${route.method} ${route.path}`).toBe(expected(route.path));
  });

  it('matches path parameters, and finds nothing for a wrong method or a missing path (API Gateway answers both 404)', () => {
    expect(matchRoute(routes, 'GET', '/invitations/abc')?.params).toEqual({ id: 'abc' });
    expect(matchRoute(routes, 'DELETE', '/accept/abc')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/nowhere')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/invitations/')).toBeUndefined();
  });

  it('routes the static /accept/callback before /accept/{id}, as API Gateway does, whatever the order of the table', () => {
    const reversed = [...routes].reverse();
    for (const table of [routes, reversed]) {
      expect(matchRoute(table, 'GET', '/accept/callback')?.route.function).toBe('finish-sign-in');
      expect(matchRoute(table, 'GET', '/accept/3f0b6a2e-1c1d-4b5e-8f7a-2a9d1c3e4b5f')?.route.function).toBe('show-acceptance');
      expect(matchRoute(table, 'POST', '/accept/abc/sign-in')?.route.function).toBe('start-sign-in');
    }
  });

  it('hands a path parameter with a malformed percent-escape over as it came, for the function to refuse (404, not 500)', () => {
    for (const path of ['/accept/%E0%A4%A', '/accept/%ED%B0%80', '/invitations/%']) {
      expect(matchRoute(routes, 'GET', path)?.params, path).toEqual({ id: path.split('/')[2] });
    }
  });

  it('hands a function the verified claims as an HTTP API does, a number or a boolean as a string', async () => {
    // Prepare: a gateway whose one function only notes the claims it was given.
    const dir = await mkdtemp(join(tmpdir(), 'gateway-claims-'));
    const keys = await loadOrCreateKeys(dir);
    let claims: Record<string, unknown> | undefined;
    const server = createGateway({
      keys,
      loadHandler: () =>
        Promise.resolve(async (event) => {
          claims = event.requestContext.authorizer?.jwt?.claims;
          return { statusCode: 204 };
        }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      // Act
      const { port } = server.address() as AddressInfo;
      const token = await signToken(keys, { kind: 'partner', partnerId: 'fabrikam' });
      const response = await fetch(`http://127.0.0.1:${port}/invitations`, { headers: { Authorization: `Bearer ${token}` } });
      // Assess
      expect(response.status).toBe(204);
      expect(claims?.['custom:partner_id']).toBe('fabrikam');
      expect(claims?.exp).toMatch(/^\d+$/);
      expect(claims?.iat).toMatch(/^\d+$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
