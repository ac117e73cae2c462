import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, movableClock, useClock } from '../../shared/clock.js';
import { db, tableName } from '../../shared/data/client.js';
import { expiryKey, invitationKey, pendingGuardKey, relationshipCustomerViewKey, relationshipKey } from '../../shared/data/keys.js';
import { runCleanup } from '../../shared/cleanup/service.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { createInvitation } from '../../shared/invitations/service.js';
import type { Relationship } from '../../shared/relationships/model.js';
import { countSdkCalls, uniqueDomain, useTestTable } from '../support/environment.js';

const stored = async (key: Record<string, string>) => (await db().send(new GetCommand({ TableName: tableName(), Key: key }))).Item;

const invite = (partnerId: string) => {
  const customer = uniqueDomain();
  return createInvitation(partnerId, createInvitationBody.parse({ customerDomain: customer, adminEmail: `admin@${customer}` }));
};

async function putRelationship(overrides: Partial<Relationship>): Promise<Relationship> {
  const customerDomain = uniqueDomain();
  const relationship: Relationship = {
    id: `rel-${customerDomain}`,
    partnerId: 'wingtip',
    partnerName: 'Wingtip Toys',
    customerDomain,
    roles: ['DIRECTORY_READER'],
    status: 'ACTIVE',
    startsAt: '2026-01-01T00:00:00.000Z',
    endsAt: '2026-12-01T00:00:00.000Z',
    autoExtend: false,
    invitationId: 'inv',
    acceptedBy: { email: `admin@${customerDomain}`, signedIn: false },
    ...overrides,
  };
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...relationshipKey(relationship.partnerId, customerDomain),
        ...relationshipCustomerViewKey(relationship.partnerId, customerDomain),
        ...expiryKey('RELATIONSHIP', relationship.id, relationship.endsAt),
        type: 'RELATIONSHIP',
        ...relationship,
      },
    }),
  );
  return relationship;
}

describe('the scheduled cleanup', () => {
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => useClock(undefined));

  it('expires overdue pending invitations through the expiry index, without a scan, and leaves the rest', async () => {
    // Prepare
    const clock = movableClock('2026-11-01T00:00:00Z');
    useClock(clock);
    const overdue = await invite('fabrikam');
    clock.advance(30 * DAY_MS);
    const fresh = await invite('fabrikam');
    clock.advance(61 * DAY_MS);
    const counter = await countSdkCalls();
    // Act
    const report = await runCleanup();
    counter.stop();
    // Assess
    expect(report.expiredInvitations).toEqual([overdue.id]);
    expect(await stored(invitationKey(overdue.id))).toMatchObject({ status: 'EXPIRED' });
    expect(await stored(invitationKey(overdue.id))).not.toHaveProperty('GSI2PK');
    expect(await stored(invitationKey(fresh.id))).toMatchObject({ status: 'PENDING' });
    expect(counter.calls).not.toContain('ScanCommand');
    expect(counter.calls.filter((c) => c === 'QueryCommand')).toHaveLength(8);
  });

  it('changes each item once when two runs go at the same time', async () => {
    const clock = movableClock('2026-11-01T00:00:00Z');
    useClock(clock);
    const invited = await Promise.all([invite('adatum'), invite('adatum'), invite('adatum'), invite('wingtip')]);
    clock.advance(91 * DAY_MS);
    const [a, b] = await Promise.all([runCleanup(), runCleanup()]);
    const expired = [...a.expiredInvitations, ...b.expiredInvitations].filter((id) => invited.some((i) => i.id === id));
    expect(expired.sort()).toEqual(invited.map((i) => i.id).sort());
    expect((await runCleanup()).expiredInvitations).toEqual([]);
  });

  it('leaves the guard of a newer invitation of the same pair alone', async () => {
    const clock = movableClock('2026-11-01T00:00:00Z');
    useClock(clock);
    const customer = uniqueDomain();
    const body = createInvitationBody.parse({ customerDomain: customer, adminEmail: `admin@${customer}` });
    const old = await createInvitation('fabrikam', body);
    clock.advance(91 * DAY_MS);
    const newer = await createInvitation('fabrikam', body);
    await runCleanup();
    expect(await stored(invitationKey(old.id))).toMatchObject({ status: 'EXPIRED' });
    expect(await stored(pendingGuardKey('fabrikam', customer))).toMatchObject({ invitationId: newer.id });
  });

  it('ends relationships at endsAt, and extends auto-extending ones by 180 days', async () => {
    useClock(movableClock('2026-12-02T00:00:00Z'));
    const ending = await putRelationship({ autoExtend: false });
    const extending = await putRelationship({ autoExtend: true });
    const report = await runCleanup();
    expect(report.expiredRelationships).toContain(ending.id);
    expect(report.extendedRelationships).toContain(extending.id);
    expect(await stored(relationshipKey('wingtip', ending.customerDomain))).toMatchObject({ status: 'EXPIRED' });
    expect(await stored(relationshipKey('wingtip', extending.customerDomain))).toMatchObject({
      status: 'ACTIVE',
      endsAt: new Date(Date.parse('2026-12-01T00:00:00.000Z') + 180 * DAY_MS).toISOString(),
    });
  });
});
