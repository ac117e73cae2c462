/**
 * The customer's policy: set and audited in one transaction, and kept by a ConditionCheck inside
 * the create and the accept transactions, so a policy changed at the same moment cannot be raced.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../shared/acceptance/service.js';
import { signedInCookie } from '../support/sign-in.js';
import { db } from '../../shared/data/client.js';
import { invitationKey, policyKey } from '../../shared/data/keys.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { createInvitation } from '../../shared/invitations/service.js';
import { findInvitation } from '../../shared/invitations/repository.js';
import { putPartner } from '../../shared/partners/repository.js';
import { policyBody, type PolicyInput } from '../../shared/policy/model.js';
import { getPolicy, putPolicy } from '../../shared/policy/service.js';
import { findRelationship } from '../../shared/relationships/repository.js';
import { countSdkCalls, uniqueDomain, useTestTable } from '../support/environment.js';
import { adminOf, auditTrail, invite, outcomeOf } from '../support/lifecycle.js';
import { emailsTo } from '../support/mail.js';
import { rawItem } from '../support/table-writes.js';

const policy = (extra: Record<string, unknown>): PolicyInput => policyBody.parse(extra);
const setPolicy = (customerDomain: string, extra: Record<string, unknown>, email?: string) => putPolicy({ customerDomain, email }, policy(extra));
const create = (partnerId: string, customerDomain: string, extra: Record<string, unknown> = {}) =>
  createInvitation(partnerId, createInvitationBody.parse({ customerDomain, adminEmail: adminOf(customerDomain), ...extra }));

/** Runs `action` once, inside the next transaction `db()` sends, just before DynamoDB sees it. */
function beforeNextTransaction(action: () => Promise<unknown>): { stop(): void } {
  const name = `interpose-${Math.random()}`;
  let armed = true;
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    if (armed && context.commandName === 'TransactWriteItemsCommand') {
      armed = false;
      await action();
    }
    return next(args);
  };
  db().middlewareStack.add(middleware as never, { step: 'initialize', name });
  return { stop: () => db().middlewareStack.remove(name) };
}

describe("the customer's policy", () => {
  beforeAll(async () => {
    await useTestTable();
  });

  it('is the default (no restriction, sign-in for power, 730 days) until the customer sets one', async () => {
    // Act
    const read = await getPolicy(uniqueDomain());
    // Assess
    expect(read).toMatchObject({ approvers: [], allowedPartners: [], forbiddenRoles: [], maxDurationDays: 730, signIn: 'POWER', notify: [] });
    expect(read).not.toHaveProperty('updatedAt');
  });

  it('stores the policy and its CustomerPolicyChanged record in one transaction, listed for the customer and no partner', async () => {
    // Prepare
    const customer = uniqueDomain();
    const counter = await countSdkCalls();
    // Act
    const stored = await setPolicy(customer, { approvers: [`it@${customer}`], forbiddenRoles: ['GLOBAL_ADMIN'], notify: ['soc@elsewhere.example'] }, `it@${customer}`);
    counter.stop();
    // Assess
    expect(counter.calls).toEqual(['TransactWriteItemsCommand']);
    expect(stored).toMatchObject({ customerDomain: customer, approvers: [`it@${customer}`], updatedBy: `it@${customer}` });
    expect(await getPolicy(customer)).toEqual(stored);
    const [record, ...others] = await auditTrail({ customerDomain: customer });
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      type: 'CustomerPolicyChanged',
      at: stored.updatedAt,
      actor: { kind: 'customer', customerDomain: customer, email: `it@${customer}` },
      customerDomain: customer,
      details: { approvers: [`it@${customer}`], forbiddenRoles: ['GLOBAL_ADMIN'], notify: ['soc@elsewhere.example'], signIn: 'POWER', maxDurationDays: 730 },
    });
    expect(record?.partnerId).toBeUndefined();
    for (const partnerId of ['fabrikam', 'adatum']) {
      expect((await auditTrail({ partnerId })).filter((e) => e.customerDomain === customer)).toEqual([]);
    }
  });

  it('names the customer as the editor when the token carries no address', async () => {
    const customer = uniqueDomain();
    expect((await setPolicy(customer, {})).updatedBy).toBe(`customer:${customer}`);
  });

  it('refuses approvers outside the customer’s domain (400) and changes nothing', async () => {
    // Prepare
    const customer = uniqueDomain();
    // Act
    const refused = setPolicy(customer, { approvers: [`admin@${customer}`, `it@sub.${customer}`, 'helpdesk@partner.example'] });
    // Assess
    await expect(refused).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED', errors: [{ path: 'approvers.2' }] });
    expect(await rawItem(policyKey(customer))).toBeNull();
    expect(await auditTrail({ customerDomain: customer })).toEqual([]);
  });
});

describe('creating an invitation under the policy', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  const cases = [
    { code: 'APPROVER_NOT_ALLOWED', rules: (c: string) => ({ approvers: [`it@${c}`] }), request: {} },
    { code: 'PARTNER_NOT_ALLOWED', rules: () => ({ allowedPartners: ['adatum'] }), request: {} },
    { code: 'ROLE_NOT_ALLOWED', rules: () => ({ forbiddenRoles: ['GLOBAL_ADMIN'] }), request: { roles: ['DIRECTORY_READER', 'GLOBAL_ADMIN'] } },
    { code: 'DURATION_TOO_LONG', rules: () => ({ maxDurationDays: 90 }), request: { durationDays: 91 } },
  ] as const;

  it.each(cases)('refuses with 422 $code and writes and sends nothing', async ({ code, rules, request }) => {
    // Prepare
    const customer = uniqueDomain();
    await setPolicy(customer, rules(customer));
    // Act
    const outcome = await outcomeOf(create('fabrikam', customer, request));
    // Assess
    expect(outcome).toBe(`422 ${code}`);
    expect((await auditTrail({ customerDomain: customer })).map((e) => e.type)).toEqual(['CustomerPolicyChanged']);
    expect(await emailsTo(adminOf(customer))).toEqual([]);
  });

  it('lets through what the policy allows: a listed approver, partner, allowed roles, the longest duration', async () => {
    const customer = uniqueDomain();
    await setPolicy(customer, { approvers: [adminOf(customer)], allowedPartners: ['fabrikam'], forbiddenRoles: ['GLOBAL_ADMIN'], maxDurationDays: 90 });
    expect(await outcomeOf(create('fabrikam', customer, { roles: ['USER_ADMIN'], durationDays: 90 }))).toBe('ok');
  });

  it('decides in the transaction: a policy that changes after the request was read, before it commits, refuses it', async () => {
    // Prepare: no policy yet; the change lands between the service's work and DynamoDB's decision.
    const customer = uniqueDomain();
    const interpose = beforeNextTransaction(() => setPolicy(customer, { allowedPartners: ['adatum'] }));
    // Act
    const outcome = await outcomeOf(create('fabrikam', customer)).finally(() => interpose.stop());
    // Assess
    expect(outcome).toBe('422 PARTNER_NOT_ALLOWED');
    expect(await emailsTo(adminOf(customer))).toEqual([]);
  });

  it('a policy change racing 20 creates: each create is refused under the new policy or committed under the old one, never after it', async () => {
    // Prepare: 20 partners, so no create is refused for another reason.
    const customer = uniqueDomain('race');
    const partners = Array.from({ length: 20 }, (_, i) => `policy-race-${i}`);
    for (const id of partners) await putPartner({ id, name: `Race ${id}`, domain: `${id}.example` });
    const tightened = { approvers: [`security@${customer}`] };
    // Act: creates start before, during and after the change.
    let changed = false;
    const launchedAfterChange = new Set<string>();
    const outcomes = new Map<string, Promise<string>>();
    let change: Promise<unknown> | undefined;
    for (const [i, partnerId] of partners.entries()) {
      if (i === 6) change = setPolicy(customer, tightened).then(() => (changed = true));
      if (changed) launchedAfterChange.add(partnerId);
      outcomes.set(partnerId, outcomeOf(create(partnerId, customer)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await change;
    const settled = new Map(await Promise.all([...outcomes].map(async ([id, outcome]) => [id, await outcome] as const)));
    // Assess: only two outcomes; those that started after the change committed are refused.
    for (const [id, outcome] of settled) expect(['ok', '422 APPROVER_NOT_ALLOWED'], id).toContain(outcome);
    for (const id of launchedAfterChange) expect(settled.get(id), id).toBe('422 APPROVER_NOT_ALLOWED');
    // The trail and the table hold exactly the creates that succeeded, and a create after the race is refused.
    const trail = await auditTrail({ customerDomain: customer });
    const created = trail.filter((e) => e.type === 'InvitationCreated');
    expect(created.map((e) => e.partnerId).sort()).toEqual([...settled].filter(([, o]) => o === 'ok').map(([id]) => id).sort());
    for (const event of created) expect(await findInvitation(event.invitationId!, true)).toMatchObject({ status: 'PENDING' });
    expect(trail.filter((e) => e.type === 'CustomerPolicyChanged')).toHaveLength(1);
    expect(await outcomeOf(create('fabrikam', customer))).toBe('422 APPROVER_NOT_ALLOWED');
  });
});

describe('accepting under the policy', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  const tightenings = [
    { code: '422 APPROVER_NOT_ALLOWED', rules: (c: string) => ({ approvers: [`it@${c}`] }), allowedBy: (c: string) => `it@${c}` },
    { code: '422 PARTNER_NOT_ALLOWED', rules: () => ({ allowedPartners: ['adatum'] }), allowedBy: undefined },
    { code: '422 ROLE_NOT_ALLOWED', rules: () => ({ forbiddenRoles: ['DIRECTORY_READER'] }), allowedBy: undefined },
    { code: '422 DURATION_TOO_LONG', rules: () => ({ maxDurationDays: 10 }), allowedBy: undefined },
    { code: '401 SIGN_IN_REQUIRED', rules: () => ({ signIn: 'ALWAYS' }), allowedBy: (c: string) => adminOf(c) },
  ] as const;

  it.each(tightenings)('refuses the accept with $code when the policy was tightened after the invitation, and writes nothing', async ({ code, rules, allowedBy }) => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['DIRECTORY_READER', 'SECURITY_READER'], durationDays: 30 });
    await setPolicy(customer, rules(customer));
    const before = await rawItem(invitationKey(invitation.id));
    // Act
    const outcome = await outcomeOf(decide(invitation.id, token, { decision: 'accept' }));
    // Assess
    expect(outcome).toBe(code);
    expect(await rawItem(invitationKey(invitation.id))).toBe(before);
    expect(await findRelationship('fabrikam', customer)).toBeUndefined();
    expect((await auditTrail({ customerDomain: customer })).map((e) => e.type).sort()).toEqual(['CustomerPolicyChanged', 'InvitationCreated']);
    // What the policy does allow still goes through on the same link.
    if (allowedBy !== undefined) {
      const signedIn = await signedInCookie(invitation.id, token, allowedBy(customer));
      expect(await outcomeOf(decide(invitation.id, token, { decision: 'accept' }, signedIn))).toBe('ok');
    }
  });

  it('judges what is granted, not what was asked: fewer roles and fewer days pass a policy the request breaks', async () => {
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['DIRECTORY_READER', 'SECURITY_READER'], durationDays: 30 });
    await setPolicy(customer, { forbiddenRoles: ['SECURITY_READER'], maxDurationDays: 10 });
    const result = await decide(invitation.id, token, { decision: 'accept', roles: ['DIRECTORY_READER'], durationDays: 10 });
    expect(result.relationship).toMatchObject({ roles: ['DIRECTORY_READER'], status: 'ACTIVE' });
  });

  it('lets the customer decline whatever the policy says', async () => {
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer);
    await setPolicy(customer, { allowedPartners: ['adatum'], signIn: 'ALWAYS' });
    expect(await outcomeOf(decide(invitation.id, token, { decision: 'decline' }))).toBe('ok');
  });

  it('decides in the accepting transaction: a policy tightened while the page was open refuses the accept', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { durationDays: 30 });
    const interpose = beforeNextTransaction(() => setPolicy(customer, { signIn: 'ALWAYS' }));
    // Act
    const outcome = await outcomeOf(decide(invitation.id, token, { decision: 'accept' })).finally(() => interpose.stop());
    // Assess
    expect(outcome).toBe('401 SIGN_IN_REQUIRED');
    expect(await findInvitation(invitation.id, true)).toMatchObject({ status: 'PENDING' });
    expect(await findRelationship('fabrikam', customer)).toBeUndefined();
  });
});
