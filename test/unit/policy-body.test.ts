import { describe, expect, it } from 'vitest';
import { MAX_POLICY_LIST, policyBody } from '../../shared/policy/model.js';
import { policyViolation, type PolicyRequest } from '../../shared/policy/conditions.js';

const errorsOf = (body: unknown) => {
  const result = policyBody.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('what a customer admin may send as its policy', () => {
  it('fills in the defaults: no restriction, sign-in for power roles, 730 days', () => {
    expect(policyBody.parse({})).toEqual({ approvers: [], allowedPartners: [], forbiddenRoles: [], maxDurationDays: 730, signIn: 'POWER', notify: [] });
  });

  it('normalises addresses as invitations do', () => {
    expect(policyBody.parse({ approvers: ['it@Contoso.COM'], notify: ['soc@Elsewhere.example'] })).toMatchObject({ approvers: ['it@contoso.com'], notify: ['soc@elsewhere.example'] });
  });

  it('refuses unknown roles, non-addresses, repeats, over-long lists, unknown sign-in modes and fields', () => {
    expect(errorsOf({ forbiddenRoles: ['ROOT'] })).toEqual(['forbiddenRoles.0']);
    expect(errorsOf({ approvers: ['not an address'] })).toEqual(['approvers.0']);
    expect(errorsOf({ notify: ['soc@'] })).toEqual(['notify.0']);
    expect(errorsOf({ approvers: ['a@contoso.com', 'a@CONTOSO.com'] })).toEqual(['approvers']);
    expect(errorsOf({ allowedPartners: ['fabrikam', 'fabrikam'] })).toEqual(['allowedPartners']);
    expect(errorsOf({ forbiddenRoles: ['GLOBAL_ADMIN', 'GLOBAL_ADMIN'] })).toEqual(['forbiddenRoles']);
    const many = Array.from({ length: MAX_POLICY_LIST + 1 }, (_, i) => `user${i}@contoso.com`);
    expect(errorsOf({ notify: many })).toEqual(['notify']);
    expect(errorsOf({ signIn: 'NEVER' })).toEqual(['signIn']);
    expect(errorsOf({ maxDurationDays: 0 })).toEqual(['maxDurationDays']);
    expect(errorsOf({ maxDurationDays: 731 })).toEqual(['maxDurationDays']);
    expect(errorsOf({ owner: 'me' })).toEqual(['']);
  });
});

describe('which rule a stored policy names when its ConditionCheck failed', () => {
  const request: PolicyRequest = { partnerId: 'fabrikam', approver: 'admin@contoso.com', roles: ['USER_ADMIN'], durationDays: 90, signedIn: false };
  const open = policyBody.parse({});

  it('names none for the default policy, and each rule in turn', () => {
    expect(policyViolation(open, request)).toBeUndefined();
    expect(policyViolation({ ...open, approvers: ['it@contoso.com'] }, request)).toBe('APPROVER_NOT_ALLOWED');
    expect(policyViolation({ ...open, allowedPartners: ['adatum'] }, request)).toBe('PARTNER_NOT_ALLOWED');
    expect(policyViolation({ ...open, forbiddenRoles: ['USER_ADMIN'] }, request)).toBe('ROLE_NOT_ALLOWED');
    expect(policyViolation({ ...open, maxDurationDays: 89 }, request)).toBe('DURATION_TOO_LONG');
    expect(policyViolation({ ...open, signIn: 'ALWAYS' }, request)).toBe('SIGN_IN_REQUIRED');
    expect(policyViolation({ ...open, signIn: 'ALWAYS' }, { ...request, signedIn: true })).toBeUndefined();
  });
});
