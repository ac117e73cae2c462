/**
 * The lifecycle as a state machine: every (state, action, actor) is either allowed, with its
 * effect and exactly one audit record, or refused with its status and code, having written
 * nothing, not even a wrong link on the invitation it names.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as cancelHandler } from '../../functions/cancel-invitation.js';
import { handler as createHandler } from '../../functions/create-invitation.js';
import { handler as endHandler } from '../../functions/end-relationship.js';
import { handler as resendHandler } from '../../functions/resend-invitation.js';
import { decide, openRequest } from '../../shared/acceptance/service.js';
import type { AuditEventType } from '../../shared/audit/model.js';
import { runCleanup } from '../../shared/cleanup/service.js';
import { DAY_MS, movableClock, newSecret, useClock } from '../../shared/clock.js';
import { invitationKey, invitationQuotaKey, pendingGuardKey, relationshipKey } from '../../shared/data/keys.js';
import type { Role } from '../../shared/domain/roles.js';
import { claimsFor } from '../../shared/identity/caller.js';
import { MAX_RESENDS } from '../../shared/invitations/model.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { cancelInvitation, createInvitation, getInvitation, resendInvitation } from '../../shared/invitations/service.js';
import { putPartner } from '../../shared/partners/repository.js';
import { toRelationshipView } from '../../shared/relationships/model.js';
import { findRelationship } from '../../shared/relationships/repository.js';
import { endRelationship } from '../../shared/relationships/end.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { adminOf, auditTrail, callHandler, invite, outcomeOf } from '../support/lifecycle.js';
import { emailsSettled, newestLinkFor } from '../support/mail.js';
import { rawItems } from '../support/table-writes.js';

const T0 = '2030-01-07T09:00:00.000Z';
const clock = movableClock(T0);
const MINUTE = 60_000;
// Read-only roles: the link alone may grant them (power needs a signed-in admin: test/e2e/sign-in.test.ts).
const REQUESTED: Role[] = ['DIRECTORY_READER', 'BILLING_READER', 'SECURITY_READER'];
const REASON = 'We manage our directory in-house.';

const ACTORS = ['the owning partner', 'another partner', 'the customer admin', 'another customer'] as const;
type Actor = (typeof ACTORS)[number];
const isPartner = (actor: Actor) => actor === 'the owning partner' || actor === 'another partner';

/** One case's cast: two partners of its own (so their trails and quotas hold only this case), the customer, the request, and the link the admin holds. */
interface World {
  readonly owner: string;
  readonly other: string;
  readonly customer: string;
  readonly invitationId: string;
  readonly adminToken: string;
}

/** Another customer, holding the link of its own request: a real secret, just not one of any World's request. */
let stranger: { customer: string; token: string };

const partnerOf = (actor: Actor, w: World) => (actor === 'the owning partner' ? w.owner : w.other);
const customerOf = (actor: Actor, w: World) => (actor === 'the customer admin' ? w.customer : stranger.customer);
/** The claims of the actor's Cognito ID token, as the HTTP API passes them in AWS. */
const claimsOf = (actor: Actor, w: World) =>
  claimsFor(isPartner(actor) ? { kind: 'partner', partnerId: partnerOf(actor, w) } : { kind: 'customer', customerDomain: customerOf(actor, w) }, 'id');

/** The secret each actor can put on the link route: only the admin holds this request's; partners never see it and can only guess. */
function secretOf(actor: Actor, w: World): string {
  if (actor === 'the customer admin') return w.adminToken;
  if (actor === 'another customer') return stranger.token;
  return newSecret();
}

// ---------------------------------------------------------------- states

async function registerPartners(): Promise<Pick<World, 'owner' | 'other'>> {
  const [owner, other] = [`owner-${randomUUID().slice(0, 8)}`, `other-${randomUUID().slice(0, 8)}`];
  await Promise.all([
    putPartner({ id: owner, name: `Owner ${owner}`, domain: `${owner}.partners.test` }),
    putPartner({ id: other, name: `Other ${other}`, domain: `${other}.partners.test` }),
  ]);
  return { owner, other };
}

async function pending(extra: Record<string, unknown> = {}): Promise<World> {
  const partners = await registerPartners();
  const customer = uniqueDomain('state');
  const { invitation, token } = await invite(partners.owner, customer, { roles: REQUESTED, durationDays: 60, autoExtend: false, ...extra });
  return { ...partners, customer, invitationId: invitation.id, adminToken: token };
}

/** Resends, each mailed; the admin keeps the link they had (so after one resend it is a replaced one). */
async function resent(w: World, times: number): Promise<World> {
  for (let i = 0; i < times; i++) {
    await resendInvitation(w.owner, w.invitationId);
    await emailsSettled();
  }
  return w;
}

const withNewestLink = async (w: World): Promise<World> => ({ ...w, adminToken: (await newestLinkFor(adminOf(w.customer), w.invitationId)).token });

/** Wrong answers that once would have locked the link five times over: now they change nothing, and the link still works. */
const WRONG_ANSWERS = 50;

async function afterWrongAnswers(w: World): Promise<World> {
  for (let i = 0; i < WRONG_ANSWERS; i++) expect(await outcomeOf(decide(w.invitationId, newSecret(), { decision: 'accept' }))).toBe('404 NOT_FOUND');
  return w;
}

async function accepted(extra: Record<string, unknown> = {}): Promise<World> {
  const w = await pending({ durationDays: 30, ...extra });
  await decide(w.invitationId, w.adminToken, { decision: 'accept' });
  return w;
}

async function afterDays(w: World, days: number, cleanup: boolean): Promise<World> {
  clock.advance(days * DAY_MS + 1000);
  if (cleanup) await runCleanup();
  return w;
}

async function then(w: World, step: (w: World) => Promise<unknown>): Promise<World> {
  await step(w);
  return w;
}

interface State {
  readonly setup: () => Promise<World>;
  /** What the state looks like, as the product shows it and as it is stored. */
  readonly looks: { readonly shown: string; readonly stored: string };
}
const looks = (shown: string, stored = shown) => ({ shown, stored });

async function invitationLooks(w: World) {
  const [item] = Object.values(await rawItems([invitationKey(w.invitationId)]));
  const stored = JSON.parse(item ?? '{}') as { status?: { S: string } };
  return { shown: (await getInvitation(w.owner, w.invitationId)).status, stored: stored.status?.S ?? 'none' };
}

async function relationshipLooks(w: World) {
  const item = await findRelationship(w.owner, w.customer);
  if (item === undefined) return { shown: 'none', stored: 'none' };
  const view = toRelationshipView(item, clock.now());
  const pastItsEnd = view.status === 'ACTIVE' && view.endsAt <= clock.now().toISOString();
  return { shown: `${view.status}${view.terminatedBy === undefined ? '' : ` by ${view.terminatedBy}`}${pastItsEnd ? ' past its end' : ''}`, stored: String(item.status) };
}

const INVITATION_STATES = {
  PENDING: { setup: () => pending(), looks: looks('PENDING') },
  'PENDING, its link replaced by a resend': { setup: async () => resent(await pending(), 1), looks: looks('PENDING') },
  [`PENDING, resent ${MAX_RESENDS} times`]: { setup: async () => withNewestLink(await resent(await pending(), MAX_RESENDS)), looks: looks('PENDING') },
  [`PENDING, after ${WRONG_ANSWERS} wrong answers`]: { setup: async () => afterWrongAnswers(await pending()), looks: looks('PENDING') },
  ACCEPTED: { setup: () => accepted(), looks: looks('ACCEPTED') },
  DECLINED: { setup: async () => then(await pending(), (w) => decide(w.invitationId, w.adminToken, { decision: 'decline' })), looks: looks('DECLINED') },
  CANCELED: { setup: async () => then(await pending(), (w) => cancelInvitation(w.owner, w.invitationId)), looks: looks('CANCELED') },
  'EXPIRED, cleanup not run yet': { setup: async () => afterDays(await pending(), 90, false), looks: looks('EXPIRED', 'PENDING') },
  'EXPIRED by cleanup': { setup: async () => afterDays(await pending(), 90, true), looks: looks('EXPIRED') },
  [`EXPIRED after ${MAX_RESENDS} resends`]: { setup: async () => afterDays(await withNewestLink(await resent(await pending(), MAX_RESENDS)), 90, false), looks: looks('EXPIRED', 'PENDING') },
} satisfies Record<string, State>;

const RELATIONSHIP_STATES = {
  ACTIVE: { setup: () => accepted(), looks: looks('ACTIVE') },
  'ACTIVE, extended by cleanup at its end': { setup: async () => afterDays(await accepted({ autoExtend: true }), 30, true), looks: looks('ACTIVE') },
  'TERMINATED by the partner': {
    setup: async () => then(await accepted(), (w) => endRelationship(w.owner, w.customer, { kind: 'partner', partnerId: w.owner })),
    looks: looks('TERMINATED by partner', 'TERMINATED'),
  },
  'TERMINATED by the customer': {
    setup: async () => then(await accepted(), (w) => endRelationship(w.owner, w.customer, { kind: 'customer', customerDomain: w.customer })),
    looks: looks('TERMINATED by customer', 'TERMINATED'),
  },
  'EXPIRED at its end, cleanup not run yet': { setup: async () => afterDays(await accepted(), 30, false), looks: looks('EXPIRED', 'ACTIVE') },
  'EXPIRED at its end by cleanup': { setup: async () => afterDays(await accepted(), 30, true), looks: looks('EXPIRED') },
} satisfies Record<string, State>;

// ---------------------------------------------------------------- actions, as each handler calls its service

const reinviteBody = (w: World) => ({ customerDomain: w.customer, adminEmail: adminOf(w.customer) });

const ACTIONS = {
  accept: (actor: Actor, w: World) => outcomeOf(decide(w.invitationId, secretOf(actor, w), { decision: 'accept' })),
  'accept some roles for fewer days': (actor: Actor, w: World) =>
    outcomeOf(decide(w.invitationId, secretOf(actor, w), { decision: 'accept', roles: ['BILLING_READER'], durationDays: 10 })),
  decline: (actor: Actor, w: World) => outcomeOf(decide(w.invitationId, secretOf(actor, w), { decision: 'decline' })),
  'decline with a reason': (actor: Actor, w: World) => outcomeOf(decide(w.invitationId, secretOf(actor, w), { decision: 'decline', reason: REASON })),
  // A customer token never reaches a partner service: the handler refuses it first.
  cancel: (actor: Actor, w: World) =>
    isPartner(actor)
      ? outcomeOf(cancelInvitation(partnerOf(actor, w), w.invitationId))
      : callHandler(cancelHandler, { method: 'DELETE', route: '/invitations/{id}', params: { id: w.invitationId }, claims: claimsOf(actor, w) }),
  resend: (actor: Actor, w: World) =>
    isPartner(actor)
      ? outcomeOf(resendInvitation(partnerOf(actor, w), w.invitationId))
      : callHandler(resendHandler, { method: 'POST', route: '/invitations/{id}/resend', params: { id: w.invitationId }, claims: claimsOf(actor, w) }),
  're-invite': (actor: Actor, w: World) =>
    isPartner(actor)
      ? outcomeOf(createInvitation(partnerOf(actor, w), createInvitationBody.parse(reinviteBody(w))))
      : callHandler(createHandler, { method: 'POST', route: '/invitations', params: {}, claims: claimsOf(actor, w), body: reinviteBody(w) }),
  'end (partner route)': (actor: Actor, w: World) =>
    isPartner(actor)
      ? outcomeOf(endRelationship(partnerOf(actor, w), w.customer, { kind: 'partner', partnerId: partnerOf(actor, w) }))
      : callHandler(endHandler, { method: 'DELETE', route: '/relationships/{customerDomain}', params: { customerDomain: w.customer }, claims: claimsOf(actor, w) }),
  // A customer can only name a partner; its own domain comes from its token.
  'end (customer route)': (actor: Actor, w: World) =>
    isPartner(actor)
      ? callHandler(endHandler, { method: 'DELETE', route: '/customer/relationships/{partnerId}', params: { partnerId: w.owner }, claims: claimsOf(actor, w) })
      : outcomeOf(endRelationship(w.owner, customerOf(actor, w), { kind: 'customer', customerDomain: customerOf(actor, w) })),
} satisfies Record<string, (actor: Actor, w: World) => Promise<string>>;
type Action = keyof typeof ACTIONS;
const LINK_ACTIONS: readonly Action[] = ['accept', 'accept some roles for fewer days', 'decline', 'decline with a reason'];

// ---------------------------------------------------------------- the tables

const OK = 'ok';
/** Partners never hold the link, and another customer's link is not this request's: both are a wrong link. */
const WRONG_LINK = '404 NOT_FOUND';
/** Another partner's invitation or relationship is answered like a missing one. */
const NOT_YOURS = '404 NOT_FOUND';
const PARTNER_ROUTE = '403 PARTNER_TOKEN_REQUIRED';
const CUSTOMER_ROUTE = '403 CUSTOMER_TOKEN_REQUIRED';

type Row<S> = readonly [state: S, ...cells: string[]];

/** What the one actor entitled to act gets, per state; everyone else is answered by `everyone` below. */
const INVITATION_TABLE: readonly Row<keyof typeof INVITATION_STATES>[] = [
  //                                               the admin, on the link      the owning partner
  //                                               accept / decline            cancel              resend                        re-invite
  ['PENDING',                                      OK,                         OK,                 OK,                           '409 INVITATION_PENDING'],
  ['PENDING, its link replaced by a resend',       '410 LINK_REPLACED',        OK,                 OK,                           '409 INVITATION_PENDING'],
  [`PENDING, resent ${MAX_RESENDS} times`,         OK,                         OK,                 '429 RESEND_LIMIT_REACHED',   '409 INVITATION_PENDING'],
  [`PENDING, after ${WRONG_ANSWERS} wrong answers`,  OK,                         OK,                 OK,                           '409 INVITATION_PENDING'],
  ['ACCEPTED',                                     '409 ALREADY_ACCEPTED',     '409 NOT_PENDING',  '409 NOT_PENDING',            '409 RELATIONSHIP_EXISTS'],
  ['DECLINED',                                     '409 ALREADY_DECLINED',     '409 NOT_PENDING',  '409 NOT_PENDING',            OK],
  ['CANCELED',                                     '409 CANCELED',             '409 NOT_PENDING',  '409 NOT_PENDING',            OK],
  ['EXPIRED, cleanup not run yet',                 '410 EXPIRED',              '409 NOT_PENDING',  '409 NOT_PENDING',            OK],
  ['EXPIRED by cleanup',                           '410 EXPIRED',              '409 NOT_PENDING',  '409 NOT_PENDING',            OK],
  [`EXPIRED after ${MAX_RESENDS} resends`,         '410 EXPIRED',              '409 NOT_PENDING',  '409 NOT_PENDING',            OK],
];

const RELATIONSHIP_TABLE: readonly Row<keyof typeof RELATIONSHIP_STATES>[] = [
  //                                               the owning partner          the customer admin  the owning partner
  //                                               end (partner route)         end (customer route) re-invite
  ['ACTIVE',                                       OK,                         OK,                 '409 RELATIONSHIP_EXISTS'],
  ['ACTIVE, extended by cleanup at its end',       OK,                         OK,                 '409 RELATIONSHIP_EXISTS'],
  ['TERMINATED by the partner',                    '409 NOT_ACTIVE',           '409 NOT_ACTIVE',   OK],
  ['TERMINATED by the customer',                   '409 NOT_ACTIVE',           '409 NOT_ACTIVE',   OK],
  ['EXPIRED at its end, cleanup not run yet',      '409 NOT_ACTIVE',           '409 NOT_ACTIVE',   OK],
  ['EXPIRED at its end by cleanup',                '409 NOT_ACTIVE',           '409 NOT_ACTIVE',   OK],
];

/** Every actor's answer to one action, given the entitled actor's cell: [owning partner, another partner, customer admin, another customer]. */
const everyone: Record<Action, (cell: string) => readonly string[]> = {
  accept: (cell) => [WRONG_LINK, WRONG_LINK, cell, WRONG_LINK],
  'accept some roles for fewer days': (cell) => [WRONG_LINK, WRONG_LINK, cell, WRONG_LINK],
  decline: (cell) => [WRONG_LINK, WRONG_LINK, cell, WRONG_LINK],
  'decline with a reason': (cell) => [WRONG_LINK, WRONG_LINK, cell, WRONG_LINK],
  cancel: (cell) => [cell, NOT_YOURS, PARTNER_ROUTE, PARTNER_ROUTE],
  resend: (cell) => [cell, NOT_YOURS, PARTNER_ROUTE, PARTNER_ROUTE],
  // Multi-partner: another partner may always invite the same customer.
  're-invite': (cell) => [cell, OK, PARTNER_ROUTE, PARTNER_ROUTE],
  'end (partner route)': (cell) => [cell, NOT_YOURS, PARTNER_ROUTE, PARTNER_ROUTE],
  // Another customer has no relationship with this partner.
  'end (customer route)': (cell) => [CUSTOMER_ROUTE, CUSTOMER_ROUTE, cell, NOT_YOURS],
};

/** What a case may write: an allowed action its transition (and its audit record); a refused one nothing, a wrong link included. */
type Writes = 'its transition' | 'nothing';

interface Case {
  readonly state: string;
  readonly action: Action;
  readonly actor: Actor;
  readonly expected: string;
  readonly writes: Writes;
}

function expand(table: readonly Row<string>[], columns: readonly (readonly Action[])[]): Case[] {
  return table.flatMap(([state, ...cells]) =>
    columns.flatMap((actions, column) =>
      actions.flatMap((action) =>
        everyone[action](cells[column] ?? 'a missing cell').map((expected, i): Case => {
          const actor = ACTORS[i]!;
          const writes: Writes = expected === OK ? 'its transition' : 'nothing';
          return { state, action, actor, expected, writes };
        }),
      ),
    ),
  );
}

const INVITATION_CASES = expand(INVITATION_TABLE, [LINK_ACTIONS, ['cancel'], ['resend'], ['re-invite']]);
const RELATIONSHIP_CASES = expand(RELATIONSHIP_TABLE, [['end (partner route)'], ['end (customer route)'], ['re-invite']]);

// ---------------------------------------------------------------- what "wrote nothing" and "did its job" mean

/** Every item a case could touch (as stored, attribute by attribute), and the ids in each trail. */
async function snapshot(w: World) {
  const today = Math.floor(clock.now().getTime() / DAY_MS);
  const keys = [
    invitationKey(w.invitationId),
    ...[w.owner, w.other].flatMap((partner) => [pendingGuardKey(partner, w.customer), relationshipKey(partner, w.customer), invitationQuotaKey(partner, today)]),
    relationshipKey(w.owner, stranger.customer),
    pendingGuardKey(w.owner, stranger.customer),
  ];
  const trails = [{ partnerId: w.owner }, { partnerId: w.other }, { customerDomain: w.customer }, { customerDomain: stranger.customer }];
  const [raw, audit] = await Promise.all([rawItems(keys), Promise.all(trails.map(async (viewer) => (await auditTrail(viewer)).map((event) => event.id)))]);
  const items = Object.fromEntries(Object.entries(raw).map(([key, item]) => [key, item === null ? null : (JSON.parse(item) as Record<string, unknown>)]));
  return { items, audit };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

const relationshipOf = async (partnerId: string, customer: string) => {
  const item = await findRelationship(partnerId, customer);
  return item === undefined ? undefined : toRelationshipView(item, clock.now());
};

async function pendingInvitationOf(partnerId: string, customer: string) {
  const [guard] = Object.values(await rawItems([pendingGuardKey(partnerId, customer)]));
  const invitationId = (JSON.parse(guard ?? '{}') as { invitationId?: { S: string } }).invitationId?.S;
  return invitationId === undefined ? undefined : getInvitation(partnerId, invitationId);
}

const newestLinkOpens = async (w: World) => outcomeOf(openRequest(w.invitationId, (await newestLinkFor(adminOf(w.customer), w.invitationId)).token));

/** What an allowed action must have done, and the audit record it leaves. */
const EFFECTS: Record<Action, { audit: AuditEventType; check: (actor: Actor, w: World) => Promise<void> }> = {
  accept: {
    audit: 'InvitationAccepted',
    check: async (_, w) => {
      expect((await getInvitation(w.owner, w.invitationId)).status).toBe('ACCEPTED');
      expect(await relationshipOf(w.owner, w.customer)).toMatchObject({ status: 'ACTIVE', roles: REQUESTED, acceptedBy: { email: adminOf(w.customer), signedIn: false } });
    },
  },
  'accept some roles for fewer days': {
    audit: 'InvitationAccepted',
    check: async (_, w) => {
      const relationship = await relationshipOf(w.owner, w.customer);
      expect(relationship).toMatchObject({ status: 'ACTIVE', roles: ['BILLING_READER'], requestedRoles: REQUESTED });
      expect(Date.parse(relationship?.endsAt ?? '') - Date.parse(relationship?.startsAt ?? '')).toBe(10 * DAY_MS);
    },
  },
  decline: {
    audit: 'InvitationDeclined',
    check: async (_, w) => {
      expect(await getInvitation(w.owner, w.invitationId)).toMatchObject({ status: 'DECLINED', declineReason: undefined });
      expect(await relationshipOf(w.owner, w.customer)).toBeUndefined();
    },
  },
  'decline with a reason': {
    audit: 'InvitationDeclined',
    check: async (_, w) => {
      expect(await getInvitation(w.owner, w.invitationId)).toMatchObject({ status: 'DECLINED', declineReason: REASON });
      expect((await auditTrail({ partnerId: w.owner }))[0]?.details).toEqual({ reason: REASON });
    },
  },
  cancel: {
    audit: 'InvitationCanceled',
    check: async (_, w) => {
      expect((await getInvitation(w.owner, w.invitationId)).status).toBe('CANCELED');
      expect(await pendingInvitationOf(w.owner, w.customer)).toBeUndefined();
      expect(await newestLinkOpens(w)).toBe('409 CANCELED');
    },
  },
  resend: {
    audit: 'InvitationResent',
    check: async (_, w) => {
      await emailsSettled();
      expect(await outcomeOf(openRequest(w.invitationId, w.adminToken))).toBe('410 LINK_REPLACED');
      expect(await newestLinkOpens(w)).toBe(OK);
    },
  },
  're-invite': {
    audit: 'InvitationCreated',
    check: async (actor, w) => {
      const invitation = await pendingInvitationOf(partnerOf(actor, w), w.customer);
      expect(invitation).toMatchObject({ status: 'PENDING', customerDomain: w.customer });
      expect(invitation?.id).not.toBe(w.invitationId);
    },
  },
  'end (partner route)': {
    audit: 'RelationshipTerminated',
    check: async (_, w) => expect(await relationshipOf(w.owner, w.customer)).toMatchObject({ status: 'TERMINATED', terminatedBy: 'partner' }),
  },
  'end (customer route)': {
    audit: 'RelationshipTerminated',
    check: async (_, w) => expect(await relationshipOf(w.owner, w.customer)).toMatchObject({ status: 'TERMINATED', terminatedBy: 'customer' }),
  },
};

/** The allowed action did its job and left exactly one audit record, in the acting partner's trail and the customer's. */
async function expectEffect(c: Case, w: World, before: Snapshot, after: Snapshot): Promise<void> {
  expect(after.items).not.toEqual(before.items);
  const effect = EFFECTS[c.action];
  await effect.check(c.actor, w);
  const added = (trail: number) => (after.audit[trail] ?? []).filter((id) => !(before.audit[trail] ?? []).includes(id));
  const actingPartner = c.actor === 'another partner' ? 1 : 0;
  expect(added(actingPartner)).toHaveLength(1);
  expect(added(1 - actingPartner)).toEqual([]);
  expect(added(2)).toEqual(added(actingPartner));
  expect(added(3)).toEqual([]);
  const [newest] = await auditTrail({ customerDomain: w.customer });
  expect({ id: newest?.id, type: newest?.type }).toEqual({ id: added(2)[0], type: effect.audit });
}

// ---------------------------------------------------------------- the tests

beforeAll(async () => {
  await useTestTable();
  useClock(clock);
  clock.set(T0);
  const customer = uniqueDomain('stranger');
  stranger = { customer, token: (await invite('wingtip', customer)).token };
});
afterAll(() => useClock(undefined));

describe.each([
  { machine: 'invitation', states: INVITATION_STATES as Record<string, State>, cases: INVITATION_CASES, looksOf: invitationLooks },
  { machine: 'relationship', states: RELATIONSHIP_STATES as Record<string, State>, cases: RELATIONSHIP_CASES, looksOf: relationshipLooks },
])('the $machine state machine', ({ states, cases, looksOf }) => {
  describe.each(Object.keys(states))('%s', (name) => {
    const state = states[name]!;

    /** A world in this state, checked to look like it, so no row rests on a wrong setup. */
    async function enter(): Promise<World> {
      clock.set(T0);
      const w = await state.setup();
      expect(await looksOf(w)).toEqual(state.looks);
      return w;
    }
    /**
     * Every allowed case starts from a world of its own. Refused cases share one per kind of
     * write they may make: each proves it changed nothing else, so the next finds the state as
     * it was.
     */
    const shared = new Map<Writes, { world: World; at: Date }>();
    async function worldFor(c: Case): Promise<World> {
      if (c.writes === 'its transition') return enter();
      let entry = shared.get(c.writes);
      if (entry === undefined) {
        entry = { world: await enter(), at: clock.now() };
        shared.set(c.writes, entry);
      }
      clock.set(entry.at);
      return entry.world;
    }

    it.each(cases.filter((c) => c.state === name))('$action by $actor → $expected', async (c) => {
      // Prepare
      const w = await worldFor(c);
      const before = await snapshot(w);
      clock.advance(MINUTE);
      // Act
      const outcome = await ACTIONS[c.action](c.actor, w);
      // Assess
      expect(outcome).toBe(c.expected);
      const after = await snapshot(w);
      if (c.writes === 'its transition') await expectEffect(c, w, before, after);
      else expect(after).toEqual(before);
    });
  });
});

it('has a case for every state, action and actor', () => {
  const triples = (cases: Case[]) => new Set(cases.map((c) => `${c.state}|${c.action}|${c.actor}`)).size;
  expect(triples(INVITATION_CASES)).toBe(Object.keys(INVITATION_STATES).length * 7 * ACTORS.length);
  expect(triples(RELATIONSHIP_CASES)).toBe(Object.keys(RELATIONSHIP_STATES).length * 3 * ACTORS.length);
});
