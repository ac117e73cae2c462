/** A partner token is honoured only for a registered partner, on every route of the route table. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../infra/routes.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t.stop();
});

const protectedRoutes = routes.filter((route) => route.access !== 'public');
const concrete = (path: string) => path.replace('{id}', '6f1c4f47-54cb-4f8e-9d5e-2d7b6f0c1a11').replace('{customerDomain}', 'contoso.com').replace('{partnerId}', 'fabrikam');

describe('a partner token whose partner is not registered', () => {
  it.each(protectedRoutes.map((route) => [route.method, route.path] as const))('is refused with 403 PARTNER_NOT_REGISTERED on %s %s', async (method, path) => {
    // Prepare
    const token = await t.partnerToken('offboarded');
    // Act
    const response = await t.api(method, concrete(path), {
      token,
      ...(method === 'POST' ? { body: { customerDomain: 'contoso.com', adminEmail: 'admin@contoso.com' } } : {}),
    });
    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.json?.code).toBe('PARTNER_NOT_REGISTERED');
  });

  it('leaves a registered partner alone', async () => {
    const response = await t.api('GET', '/invitations', { token: await t.partnerToken('wingtip') });
    expect(response.status).toBe(200);
  });
});
