import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, movableClock, newSecret, useClock } from '../../shared/clock.js';
import { db, tableName } from '../../shared/data/client.js';
import { expiryKey, invitationKey, pendingGuardKey, relationshipCustomerViewKey, relationshipKey } from '../../shared/data/keys.js';
import { runCleanup } from '../../shared/cleanup/service.js';
import { decide, openRequest } from '../../shared/acceptance/service.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { createInvitation } from '../../shared/invitations/service.js';
import { listRelationships } from '../../shared/relationships/service.js';
import { countSdkCalls, uniqueDomain, useTestTable } from '../support/environment.js';
import { auditTrail, invite as inviteTo } from '../support/lifecycle.js';
import { emailsTo, linkIn } from '../support/mail.js';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: { code?: string; status?: number }) => `${error.status} ${error.code}`,
  );

/** A fresh invitation from `partnerId` and the secret from its email. */
async function invite(partnerId = 'fabrikam', extra: Record<string, unknown> = {}) {
  const customer = uniqueDomain();
  const invitation = await createInvitation(
    partnerId,
    createInvitationBody.parse({ customerDomain: customer, adminEmail: `admin@${customer}`, roles: ['SECURITY_READER', 'BILLING_READER'], durationDays: 30, ...extra }),
  );
  const [email] = await emailsTo(`admin@${customer}`);
  return { invitation, customer, token: linkIn(email!).token };
}

const stored = async (key: Record<string, string>) => (await db().send(new GetCommand({ TableName: tableName(), Key: key }))).Item;

describe('the customer admin answers a request', () => {
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => useClock(undefined));

  it('shows the request with one read and changes nothing', async () => {
    // Prepare
    const { invitation, token } = await invite();
    const before = await stored(invitationKey(invitation.id));
    const counter = await countSdkCalls();
    // Act
    const shown = await openRequest(invitation.id, token);
    counter.stop();
    // Assess
    expect(shown.partnerName).toBe('Fabrikam');
    expect(counter.calls).toEqual(['GetItemCommand']);
    expect(await stored(invitationKey(invitation.id))).toEqual(before);
  });

  it('accepts with two reads (the request, the policy) and one transaction that writes the relationship and closes the invitation', async () => {
    // Prepare
    const { invitation, customer, token } = await invite();
    const counter = await countSdkCalls();
    // Act
    const result = await decide(invitation.id, token, { decision: 'accept' });
    counter.stop();
    // Assess
    // The invitation and the customer's policy (read once: the notices reuse it), then the transaction; a read-only
    // grant can share no power role, so no overlap query follows. Then the partner's notice: its profile is cached
    // since the create (as in a warm function), so no read, just the email.
    expect(counter.calls).toEqual(['GetItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand', 'SendEmailCommand']);
    expect(result.invitation.status).toBe('ACCEPTED');
    expect(result.relationship).toMatchObject({
      partnerId: 'fabrikam',
      customerDomain: customer,
      roles: ['SECURITY_READER', 'BILLING_READER'],
      status: 'ACTIVE',
      acceptedBy: { email: `admin@${customer}`, signedIn: false },
      invitationId: invitation.id,
    });
    const relationship = await stored(relationshipKey('fabrikam', customer));
    expect(relationship?.endsAt).toBe(new Date(Date.parse(relationship?.startsAt as string) + 30 * DAY_MS).toISOString());
    expect(await stored(pendingGuardKey('fabrikam', customer))).toBeUndefined();
    const closed = await stored(invitationKey(invitation.id));
    expect(closed).toMatchObject({ status: 'ACCEPTED', relationshipId: result.relationship?.id });
    expect(closed).not.toHaveProperty('GSI2PK');
  });

  it('declines without creating a relationship, and frees the pair for a new request', async () => {
    const { invitation, customer, token } = await invite();
    const result = await decide(invitation.id, token, { decision: 'decline' });
    expect(result).toMatchObject({ invitation: { status: 'DECLINED' }, relationship: null });
    expect(await stored(relationshipKey('fabrikam', customer))).toBeUndefined();
    expect(await stored(pendingGuardKey('fabrikam', customer))).toBeUndefined();
  });

  it('treats the link as single-use', async () => {
    const accepted = await invite();
    await decide(accepted.invitation.id, accepted.token, { decision: 'accept' });
    expect(await codeOf(decide(accepted.invitation.id, accepted.token, { decision: 'accept' }))).toBe('409 ALREADY_ACCEPTED');
    expect(await codeOf(decide(accepted.invitation.id, accepted.token, { decision: 'decline' }))).toBe('409 ALREADY_ACCEPTED');
    expect(await codeOf(openRequest(accepted.invitation.id, accepted.token))).toBe('409 ALREADY_ACCEPTED');

    const declined = await invite();
    await decide(declined.invitation.id, declined.token, { decision: 'decline' });
    expect(await codeOf(decide(declined.invitation.id, declined.token, { decision: 'accept' }))).toBe('409 ALREADY_DECLINED');
  });

  it('refuses an expired link with 410 even though cleanup has not run', async () => {
    const clock = movableClock();
    useClock(clock);
    const { invitation, customer, token } = await invite();
    clock.advance(90 * DAY_MS + 1);
    expect(await codeOf(openRequest(invitation.id, token))).toBe('410 EXPIRED');
    expect(await codeOf(decide(invitation.id, token, { decision: 'accept' }))).toBe('410 EXPIRED');
    expect(await stored(relationshipKey('fabrikam', customer))).toBeUndefined();
    expect((await stored(invitationKey(invitation.id)))?.status).toBe('PENDING');
  });

  it('answers an unknown invitation and a wrong secret alike, and grants nothing', async () => {
    const { invitation, customer, token } = await invite();
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await codeOf(openRequest(invitation.id, tampered))).toBe('404 NOT_FOUND');
    expect(await codeOf(decide(invitation.id, tampered, { decision: 'accept' }))).toBe('404 NOT_FOUND');
    expect(await codeOf(decide('00000000-0000-4000-8000-000000000000', token, { decision: 'accept' }))).toBe('404 NOT_FOUND');
    expect(await codeOf(openRequest(invitation.id, ''))).toBe('404 NOT_FOUND');
    expect(await stored(relationshipKey('fabrikam', customer))).toBeUndefined();
    expect((await stored(invitationKey(invitation.id)))?.status).toBe('PENDING');
  });

  it('lets exactly one of 20 simultaneous accepts win, leaving one relationship', async () => {
    // Prepare
    const { invitation, customer, token } = await invite('adatum');
    // Act
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => codeOf(decide(invitation.id, token, { decision: 'accept' }))));
    // Assess
    expect(outcomes.filter((o) => o === 'no error')).toHaveLength(1);
    expect(outcomes.filter((o) => o === '409 ALREADY_ACCEPTED')).toHaveLength(19);
    const { items } = await listRelationships('adatum', { limit: 100 });
    expect(items.filter((r) => r.customerDomain === customer)).toHaveLength(1);
  });

  it('spends the same round trips on an unknown invitation as on a wrong secret', async () => {
    const { invitation, token } = await invite();
    const tampered = `${token.slice(0, -2)}xx`;
    const counter = await countSdkCalls();
    await codeOf(decide(invitation.id, tampered, { decision: 'accept' }));
    const wrongSecret = [...counter.calls];
    counter.reset();
    await codeOf(decide('00000000-0000-4000-8000-000000000000', tampered, { decision: 'accept' }));
    counter.stop();
    expect(counter.calls).toEqual(wrongSecret);
    expect(wrongSecret).toEqual(['GetItemCommand']);
  });

  it('lets the right secret accept after 50 answers with a wrong one, which changed nothing and cost no write', async () => {
    // Prepare
    const { invitation, customer, token } = await invite('wingtip');
    const before = await stored(invitationKey(invitation.id));
    const counter = await countSdkCalls();
    // Act
    const outcomes = [];
    for (let i = 0; i < 50; i++) outcomes.push(await codeOf(decide(invitation.id, newSecret(), { decision: 'accept' })));
    counter.stop();
    // Assess
    expect(new Set(outcomes)).toEqual(new Set(['404 NOT_FOUND']));
    expect(new Set(counter.calls)).toEqual(new Set(['GetItemCommand']));
    expect(await stored(invitationKey(invitation.id))).toEqual(before);
    expect(await codeOf(openRequest(invitation.id, token))).toBe('no error');
    expect((await decide(invitation.id, token, { decision: 'accept' })).relationship).toMatchObject({ status: 'ACTIVE', customerDomain: customer });
  });
});

describe('a customer accepts again after an earlier relationship of the pair reached its end', () => {
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => useClock(undefined));

  /** The pair's relationship from a first accepted request, then the clock past its end. */
  async function endedRelationship(partnerId: string, autoExtend: boolean) {
    const clock = movableClock('2030-05-01T00:00:00.000Z');
    useClock(clock);
    const customer = uniqueDomain('again');
    const first = await inviteTo(partnerId, customer, { durationDays: 30, autoExtend });
    const old = (await decide(first.invitation.id, first.token, { decision: 'accept' })).relationship!;
    clock.advance(30 * DAY_MS + 1000);
    return { clock, customer, old };
  }
  const expiredRecords = async (customerDomain: string) => (await auditTrail({ customerDomain })).filter((event) => event.type === 'RelationshipExpired');

  it('closes the overdue relationship in the accepting transaction, with its RelationshipExpired record, before cleanup has run', async () => {
    // Prepare
    const { customer, old } = await endedRelationship('adatum', false);
    const again = await inviteTo('adatum', customer, { durationDays: 60 });
    // Act
    const accepted = await decide(again.invitation.id, again.token, { decision: 'accept' });
    // Assess
    expect(accepted.relationship).toMatchObject({ status: 'ACTIVE', invitationId: again.invitation.id });
    expect(accepted.relationship?.id).not.toBe(old.id);
    expect(await stored(relationshipKey('adatum', customer))).toMatchObject({ id: accepted.relationship?.id, status: 'ACTIVE' });
    const [expired, ...more] = await expiredRecords(customer);
    expect(more).toEqual([]);
    expect(expired).toMatchObject({ relationshipId: old.id, partnerId: 'adatum', actor: { kind: 'system' }, details: { endsAt: old.endsAt } });
    const trail = (await auditTrail({ customerDomain: customer })).map((event) => `${event.type} ${event.relationshipId}`);
    expect(trail).toEqual(expect.arrayContaining([`InvitationAccepted ${old.id}`, `RelationshipExpired ${old.id}`, `InvitationAccepted ${accepted.relationship?.id}`]));
    const report = await runCleanup();
    expect([...report.expiredRelationships, ...report.extendedRelationships]).not.toContain(old.id);
    expect([...report.expiredRelationships, ...report.extendedRelationships]).not.toContain(accepted.relationship?.id);
    expect(await expiredRecords(customer)).toHaveLength(1);
    expect(await stored(relationshipKey('adatum', customer))).toMatchObject({ id: accepted.relationship?.id, status: 'ACTIVE' });
  });

  it('writes one RelationshipExpired record when cleanup closed the relationship before the accept', async () => {
    const { customer, old } = await endedRelationship('wingtip', false);
    expect((await runCleanup()).expiredRelationships).toContain(old.id);
    const again = await inviteTo('wingtip', customer);
    expect((await decide(again.invitation.id, again.token, { decision: 'accept' })).relationship?.status).toBe('ACTIVE');
    expect(await expiredRecords(customer)).toMatchObject([{ relationshipId: old.id }]);
  });

  it('refuses the accept while an overdue auto-extending relationship stands, as creating refuses the invitation', async () => {
    // Prepare: a pending request, and an auto-extending relationship past its end that the schedule has not extended yet
    const { customer, old } = await endedRelationship('fabrikam', true);
    expect(await codeOf(inviteTo('fabrikam', customer))).toBe('409 RELATIONSHIP_EXISTS');
    const stale = await stored(relationshipKey('fabrikam', customer));
    await db().send(new PutCommand({ TableName: tableName(), Item: { ...stale, status: 'TERMINATED' } }));
    const again = await inviteTo('fabrikam', customer);
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...stale, ...relationshipCustomerViewKey('fabrikam', customer), ...expiryKey('RELATIONSHIP', old.id, old.endsAt) },
      }),
    );
    // Act
    const outcome = await codeOf(decide(again.invitation.id, again.token, { decision: 'accept' }));
    // Assess
    expect(outcome).toBe('409 RELATIONSHIP_EXISTS');
    expect(await stored(relationshipKey('fabrikam', customer))).toEqual(stale);
    expect(await expiredRecords(customer)).toEqual([]);
    expect((await stored(invitationKey(again.invitation.id)))?.status).toBe('PENDING');
  });
});
