/**
 * The customer's policy over HTTP through the local gateway: defaults, replace and read back,
 * 400 for what it cannot hold, 403 for a partner, and 422 for an invitation that breaks it.
 * Every answer is checked against the OpenAPI document when the stack stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueDomain } from '../support/environment.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t.stop();
});

describe('GET and PUT /customer/policy', () => {
  it('answers the defaults until the customer sets a policy, then the policy with who set it and when', async () => {
    // Prepare
    const customer = uniqueDomain();
    const token = await t.customerToken(customer);
    // Act
    const before = await t.api('GET', '/customer/policy', { token });
    const put = await t.api('PUT', '/customer/policy', {
      token,
      body: { approvers: [`admin@${customer}`], allowedPartners: ['fabrikam'], forbiddenRoles: ['GLOBAL_ADMIN'], maxDurationDays: 365, signIn: 'ALWAYS', notify: ['soc@elsewhere.example'] },
    });
    const after = await t.api('GET', '/customer/policy', { token });
    // Assess
    expect(before.status).toBe(200);
    expect(before.json).toEqual({ customerDomain: customer, approvers: [], allowedPartners: [], forbiddenRoles: [], maxDurationDays: 730, signIn: 'POWER', notify: [] });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ approvers: [`admin@${customer}`], signIn: 'ALWAYS', updatedBy: `admin@${customer}` });
    expect(after.json).toEqual(put.json);
    const audit = await t.api('GET', '/audit', { token });
    expect(audit.json?.items).toEqual([expect.objectContaining({ type: 'CustomerPolicyChanged', customerDomain: customer })]);
  });

  it.each([
    ['an unknown role', { forbiddenRoles: ['ROOT'] }, 'forbiddenRoles.0'],
    ['a non-address', { notify: ['security team'] }, 'notify.0'],
    ['a repeated address', { notify: ['a@x.example', 'a@x.example'] }, 'notify'],
    ['an over-long list', { allowedPartners: Array.from({ length: 51 }, (_, i) => `partner-${i}`) }, 'allowedPartners'],
    ['an approver outside the domain', { approvers: ['helpdesk@partner.example'] }, 'approvers.0'],
    ['an unknown field', { owner: 'me' }, 'owner'],
  ])('refuses %s with 400 VALIDATION_FAILED and keeps the policy it had', async (_, body, path) => {
    // Prepare
    const customer = uniqueDomain();
    const token = await t.customerToken(customer);
    // Act
    const response = await t.api('PUT', '/customer/policy', { token, body });
    // Assess
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path })] });
    expect((await t.api('GET', '/customer/policy', { token })).json).not.toHaveProperty('updatedAt');
  });

  it('refuses a partner token with 403 CUSTOMER_TOKEN_REQUIRED', async () => {
    const token = await t.partnerToken('fabrikam');
    for (const method of ['GET', 'PUT']) {
      const response = await t.api(method, '/customer/policy', { token, body: method === 'PUT' ? {} : undefined });
      expect(response.status, method).toBe(403);
      expect(response.json?.code, method).toBe('CUSTOMER_TOKEN_REQUIRED');
    }
  });

  it('refuses an invitation that breaks the policy with 422, and accepts one that keeps it', async () => {
    // Prepare
    const customer = uniqueDomain();
    await t.api('PUT', '/customer/policy', { token: await t.customerToken(customer), body: { forbiddenRoles: ['GLOBAL_ADMIN'], maxDurationDays: 90 } });
    const partner = await t.partnerToken('fabrikam');
    const invite = (extra: Record<string, unknown>) => t.api('POST', '/invitations', { token: partner, body: { customerDomain: customer, adminEmail: `admin@${customer}`, ...extra } });
    // Act
    const forbidden = await invite({ roles: ['GLOBAL_ADMIN'] });
    const tooLong = await invite({ durationDays: 91 });
    const kept = await invite({ durationDays: 90 });
    // Assess
    expect([forbidden.status, forbidden.json?.code]).toEqual([422, 'ROLE_NOT_ALLOWED']);
    expect([tooLong.status, tooLong.json?.code]).toEqual([422, 'DURATION_TOO_LONG']);
    expect(kept.status).toBe(201);
  });
});
