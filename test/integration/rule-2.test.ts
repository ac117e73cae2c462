/**
 * Rule 2 of the product: a relationship changes nothing else. Three partners walk the whole
 * lifecycle with one customer that has subscriptions; every write each step sends is recorded
 * on the wire and must be one of the acting partner's own keys, and the customer's
 * subscriptions and every other partner's items stay byte-for-byte as they were.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../shared/acceptance/service.js';
import { runCleanup } from '../../shared/cleanup/service.js';
import { DAY_MS, movableClock, useClock } from '../../shared/clock.js';
import { db, tableName } from '../../shared/data/client.js';
import { partnerKey, pendingGuardKey, relationshipKey, subscriptionKey } from '../../shared/data/keys.js';
import { findInvitation } from '../../shared/invitations/repository.js';
import { cancelInvitation, resendInvitation } from '../../shared/invitations/service.js';
import { endRelationship } from '../../shared/relationships/end.js';
import { SEED_SUBSCRIPTIONS, seed } from '../../infra/local/seed.js';
import { useTestTable } from '../support/environment.js';
import { adminOf, auditTrail, invite } from '../support/lifecycle.js';
import { signedInCookie } from '../support/sign-in.js';
import { newestLinkFor } from '../support/mail.js';
import { rawItem, rawItems, recordTableWrites, type RecordedWrite } from '../support/table-writes.js';

const CUSTOMER = 'contoso.com';
const PARTNERS = ['fabrikam', 'adatum', 'wingtip'] as const;
type PartnerId = (typeof PARTNERS)[number];

const clock = movableClock('2030-03-02T10:00:00.000Z');
const HOUR = 60 * 60 * 1000;

/** The newest request of each partner to the customer, and the secret the admin was emailed for it. */
const requests = new Map<PartnerId, { invitationId: string; token: string }>();
const request = (partner: PartnerId) => requests.get(partner) ?? { invitationId: 'none', token: 'none' };

async function ask(partner: PartnerId, extra: Record<string, unknown>) {
  const { invitation, token } = await invite(partner, CUSTOMER, extra);
  requests.set(partner, { invitationId: invitation.id, token });
}

async function newestLink(partner: PartnerId) {
  const { invitationId } = request(partner);
  requests.set(partner, { invitationId, token: (await newestLinkFor(adminOf(CUSTOMER), invitationId)).token });
}

interface Step {
  readonly step: string;
  /** The partners whose own items the step may write (the cleanup job acts for each in turn). */
  readonly by: readonly PartnerId[];
  readonly run: () => Promise<unknown>;
}

/** The whole lifecycle, in order: invite, resend, decline with reason, re-invite, accept a subset, cancel, accept, expire and extend, end by either side, expire a request. */
const STORY: readonly Step[] = [
  { step: 'Fabrikam asks for user and license admin, extending itself', by: ['fabrikam'], run: () => ask('fabrikam', { roles: ['USER_ADMIN', 'LICENSE_ADMIN'], durationDays: 30, autoExtend: true }) },
  {
    step: 'Fabrikam resends its request',
    by: ['fabrikam'],
    run: async () => {
      await resendInvitation('fabrikam', request('fabrikam').invitationId);
      await newestLink('fabrikam');
    },
  },
  { step: 'Adatum asks to read billing and security', by: ['adatum'], run: () => ask('adatum', { roles: ['BILLING_READER', 'SECURITY_READER'], durationDays: 60, autoExtend: false }) },
  { step: 'the admin declines Adatum, saying why', by: ['adatum'], run: () => decide(request('adatum').invitationId, request('adatum').token, { decision: 'decline', reason: 'Billing only, please.' }) },
  { step: 'Adatum asks again', by: ['adatum'], run: () => ask('adatum', { roles: ['BILLING_READER', 'SECURITY_READER'], durationDays: 60, autoExtend: false }) },
  {
    step: 'the admin grants Adatum billing reader only, for 20 days',
    by: ['adatum'],
    run: () => decide(request('adatum').invitationId, request('adatum').token, { decision: 'accept', roles: ['BILLING_READER'], durationDays: 20 }),
  },
  { step: 'Wingtip asks for directory reader', by: ['wingtip'], run: () => ask('wingtip', { durationDays: 365, autoExtend: false }) },
  { step: 'Wingtip cancels its request', by: ['wingtip'], run: () => cancelInvitation('wingtip', request('wingtip').invitationId) },
  { step: 'Wingtip asks again', by: ['wingtip'], run: () => ask('wingtip', { durationDays: 365, autoExtend: false }) },
  {
    step: 'the admin signs in and accepts Fabrikam from the newest email',
    by: ['fabrikam'],
    run: async () => {
      const { invitationId, token } = request('fabrikam');
      await decide(invitationId, token, { decision: 'accept' }, await signedInCookie(invitationId, token, adminOf(CUSTOMER)));
    },
  },
  { step: 'the admin accepts Wingtip', by: ['wingtip'], run: () => decide(request('wingtip').invitationId, request('wingtip').token, { decision: 'accept' }) },
  {
    step: "31 days later, cleanup expires Adatum's relationship and extends Fabrikam's",
    by: ['adatum', 'fabrikam'],
    run: async () => {
      clock.advance(31 * DAY_MS);
      const report = await runCleanup();
      expect(report.expiredRelationships).toHaveLength(1);
      expect(report.extendedRelationships).toHaveLength(1);
    },
  },
  { step: 'Fabrikam ends its relationship', by: ['fabrikam'], run: () => endRelationship('fabrikam', CUSTOMER, { kind: 'partner', partnerId: 'fabrikam' }) },
  { step: 'the customer ends Wingtip', by: ['wingtip'], run: () => endRelationship('wingtip', CUSTOMER, { kind: 'customer', customerDomain: CUSTOMER }) },
  { step: 'Adatum asks a third time', by: ['adatum'], run: () => ask('adatum', { roles: ['BILLING_READER'], durationDays: 30, autoExtend: false }) },
  {
    step: "91 days later, cleanup expires Adatum's unanswered request",
    by: ['adatum'],
    run: async () => {
      clock.advance(91 * DAY_MS);
      expect((await runCleanup()).expiredInvitations).toEqual([request('adatum').invitationId]);
    },
  },
];

// ---------------------------------------------------------------- what a step may write

const SUBSCRIPTION_KEYS = SEED_SUBSCRIPTIONS.map((s) => subscriptionKey(s.customerDomain, s.id));

/** Every item of the customer and of each partner that a step could conceivably touch, keyed by the partner it belongs to. */
const WATCHED = [
  ...SUBSCRIPTION_KEYS.map((key) => ({ owner: 'billing', key })),
  ...PARTNERS.flatMap((partner) => [relationshipKey(partner, CUSTOMER), pendingGuardKey(partner, CUSTOMER), partnerKey(partner)].map((key) => ({ owner: partner, key }))),
];

const watched = async () => rawItems(WATCHED.map((w) => w.key));

/** Why a recorded write is not the acting partner's own, or undefined when it is. */
async function trespass(write: RecordedWrite, by: readonly PartnerId[]): Promise<string | undefined> {
  // The record of a sent invitation email (message id → invitation), written with its SENT status: the acting partner's own.
  if (write.PK.startsWith('EMAIL#')) {
    const lookup = await db().send(new GetCommand({ TableName: tableName(), Key: { PK: write.PK, SK: write.SK }, ConsistentRead: true }));
    return write.SK === 'EMAIL' && by.some((p) => p === lookup.Item?.partnerId) ? undefined : 'another partner\'s email record';
  }
  // The create and accept transactions check (never write) the customer's policy.
  if (write.PK === `CUSTOMER#${CUSTOMER}` && write.SK === 'POLICY') return write.kind === 'ConditionCheck' ? undefined : "the customer's policy";
  if (write.PK.startsWith('CUSTOMER#') || write.SK.startsWith('SUBSCRIPTION#')) return "the customer's own items";
  if (write.PK.startsWith('INVITATION#')) {
    const invitation = await findInvitation(write.PK.slice('INVITATION#'.length), true);
    return write.SK === 'INVITATION' && invitation?.customerDomain === CUSTOMER && by.some((p) => p === invitation.partnerId) ? undefined : 'another invitation';
  }
  // The admin's sign-in session, bound to the invitation it was started for (spent by the accept).
  if (write.PK.startsWith('SESSION#')) return write.SK === 'SESSION' ? undefined : 'a session item';
  // The create transaction checks (never writes) that the customer's domain is no partner's.
  if (write.PK.startsWith('DOMAIN#')) return write.kind === 'ConditionCheck' && write.SK === 'PARTNER' ? undefined : 'a partner domain claim';
  const partner = by.find((p) => write.PK === `PARTNER#${p}`);
  if (partner === undefined) return "another partner's partition";
  const own = [`PENDING#${CUSTOMER}`, `CUSTOMER#${CUSTOMER}`].includes(write.SK) || write.SK.startsWith('AUDIT#') || write.SK.startsWith('QUOTA#');
  return own ? undefined : `${partner}'s ${write.SK.split('#')[0]} item`;
}

/** The writes of one request (one transaction) belong to one partner, so the cleanup job never mixes two partners in one change. */
function partnersPerRequest(writes: readonly RecordedWrite[]): number[] {
  const byRequest = new Map<number, Set<string>>();
  for (const write of writes.filter((w) => w.PK.startsWith('PARTNER#'))) byRequest.set(write.request, (byRequest.get(write.request) ?? new Set()).add(write.PK));
  return [...byRequest.values()].map((partners) => partners.size);
}

// ---------------------------------------------------------------- the story

describe(`three partners and ${CUSTOMER}, through the whole lifecycle`, () => {
  let atStart: Record<string, string | null>;
  /** Each subscription as a GetItem returns it, marshalled, before anything happens. */
  let subscriptionsAtStart: (string | null)[];
  let recorder: ReturnType<typeof recordTableWrites>;

  beforeAll(async () => {
    await useTestTable();
    useClock(clock);
    atStart = await watched();
    subscriptionsAtStart = await Promise.all(SUBSCRIPTION_KEYS.map(rawItem));
    recorder = recordTableWrites();
  });
  afterAll(() => {
    recorder.stop();
    useClock(undefined);
  });

  it('starts with the seeded subscriptions of the customer, each naming its partner of record', () => {
    for (const subscription of SEED_SUBSCRIPTIONS) {
      const key = subscriptionKey(subscription.customerDomain, subscription.id);
      const stored = atStart[`${key.PK} ${key.SK}`];
      expect(stored, `${key.PK} ${key.SK}`).not.toBeNull();
      expect(JSON.parse(stored ?? '{}')).toMatchObject({ type: { S: 'SUBSCRIPTION' }, partnerOfRecord: { S: subscription.partnerOfRecord }, owner: { S: subscription.owner } });
    }
    expect(SEED_SUBSCRIPTIONS.filter((s) => s.customerDomain === CUSTOMER).map((s) => s.partnerOfRecord)).toEqual(['fabrikam', 'adatum']);
  });

  it.each(STORY)('$step: writes only its own keys and changes nothing else', async ({ by, run }) => {
    // Prepare
    clock.advance(HOUR);
    const before = await watched();
    recorder.reset();
    // Act
    await run();
    // Assess
    const writes = [...recorder.writes];
    expect(writes.filter((w) => w.kind !== 'ConditionCheck').length).toBeGreaterThan(0);
    const trespasses = (await Promise.all(writes.map(async (w) => ({ ...w, why: await trespass(w, by) })))).filter((w) => w.why !== undefined);
    expect(trespasses).toEqual([]);
    expect(partnersPerRequest(writes).every((n) => n === 1)).toBe(true);
    const after = await watched();
    const changed = WATCHED.filter(({ key }) => after[`${key.PK} ${key.SK}`] !== before[`${key.PK} ${key.SK}`]).map(({ owner }) => owner);
    expect(changed.filter((owner) => !by.some((p) => p === owner))).toEqual([]);
  });

  it("leaves the customer's subscriptions byte-for-byte as the seed wrote them", async () => {
    const now = await Promise.all(SUBSCRIPTION_KEYS.map(rawItem));
    expect(now).toEqual(subscriptionsAtStart);
    expect(now.every((item) => item !== null)).toBe(true);
  });

  it('tells the whole story in the customer’s audit trail, one record per step, newest first', async () => {
    const trail = await auditTrail({ customerDomain: CUSTOMER });
    expect(trail.map((e) => e.at)).toEqual(trail.map((e) => e.at).sort().reverse());
    // Oldest first; records of the same moment (one cleanup run) in name order.
    const story = trail.map((e) => ({ at: e.at, line: `${e.partnerId} ${e.type}` })).sort((a, b) => a.at.localeCompare(b.at) || a.line.localeCompare(b.line));
    expect(story.map((e) => e.line)).toEqual([
      'fabrikam InvitationCreated',
      'fabrikam InvitationResent',
      'adatum InvitationCreated',
      'adatum InvitationDeclined',
      'adatum InvitationCreated',
      'adatum InvitationAccepted',
      'wingtip InvitationCreated',
      'wingtip InvitationCanceled',
      'wingtip InvitationCreated',
      'fabrikam InvitationAccepted',
      'wingtip InvitationAccepted',
      'adatum RelationshipExpired',
      'fabrikam RelationshipExtended',
      'fabrikam RelationshipTerminated',
      'wingtip RelationshipTerminated',
      'adatum InvitationCreated',
      'adatum InvitationExpired',
    ]);
  });
});

describe('ending one partner of a customer', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  it.each([
    { ending: 'fabrikam', by: 'partner' },
    { ending: 'adatum', by: 'customer' },
  ] as const)("leaves every other partner's relationship with the customer byte-for-byte unchanged ($ending, by the $by)", async ({ ending, by }) => {
    // Prepare
    const customer = `northwind-${ending}.com`;
    for (const partner of PARTNERS) {
      const { invitation, token } = await invite(partner, customer, { roles: ['DIRECTORY_READER'] });
      await decide(invitation.id, token, { decision: 'accept' });
    }
    const keys = PARTNERS.map((partner) => relationshipKey(partner, customer));
    const before = await rawItems(keys);
    // Act
    await endRelationship(ending, customer, by === 'partner' ? { kind: by, partnerId: ending } : { kind: by, customerDomain: customer });
    // Assess
    const after = await rawItems(keys);
    for (const partner of PARTNERS) {
      const key = relationshipKey(partner, customer);
      const id = `${key.PK} ${key.SK}`;
      if (partner === ending) expect(JSON.parse(after[id] ?? '{}')).toMatchObject({ status: { S: 'TERMINATED' }, terminatedBy: { S: by } });
      else expect(after[id]).toBe(before[id]);
    }
  });
});

describe('the seed', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  it("never overwrites a subscription on a restart, so a local user's changes survive", async () => {
    // Prepare
    const [first] = SEED_SUBSCRIPTIONS;
    const key = subscriptionKey(first!.customerDomain, first!.id);
    await db().send(new PutCommand({ TableName: tableName(), Item: { ...key, type: 'SUBSCRIPTION', ...first, quantity: 300 } }));
    const others = await rawItems(SUBSCRIPTION_KEYS.slice(1));
    // Act
    await seed();
    // Assess
    const now = await rawItems(SUBSCRIPTION_KEYS);
    expect(JSON.parse(now[`${key.PK} ${key.SK}`] ?? '{}')).toMatchObject({ quantity: { N: '300' } });
    for (const [id, item] of Object.entries(others)) expect(now[id]).toBe(item);
  });
});
