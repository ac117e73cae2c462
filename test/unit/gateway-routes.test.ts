import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../infra/local/gateway.js';
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
});
