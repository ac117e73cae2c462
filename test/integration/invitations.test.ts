import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, movableClock, useClock } from '../../shared/clock.js';
import { db, tableName } from '../../shared/data/client.js';
import { invitationKey, pendingGuardKey, relationshipKey } from '../../shared/data/keys.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { createInvitation, getInvitation, listInvitations, resendInvitation } from '../../shared/invitations/service.js';
import { decide } from '../../shared/acceptance/service.js';
import { countSdkCalls, uniqueDomain, useTestTable } from '../support/environment.js';
import { emailsSettled, emailsTo, linkIn } from '../support/mail.js';

const input = (customerDomain: string, extra: Record<string, unknown> = {}) =>
  createInvitationBody.parse({ customerDomain, adminEmail: `admin@${customerDomain}`, ...extra });

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: { code?: string; status?: number }) => `${error.status} ${error.code}`,
  );

/** Invites and accepts through the email, as the admin would. */
async function inviteAndAccept(partnerId: string, customerDomain: string) {
  const invitation = await createInvitation(partnerId, input(customerDomain));
  const [email] = (await emailsTo(`admin@${customerDomain}`)).filter((e) => e.subject.includes(invitation.partnerName));
  const { token } = linkIn(email!);
  return decide(invitation.id, token, { decision: 'accept' });
}

describe('creating invitations', () => {
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => useClock(undefined));

  it('stores the invitation with its email queued, then the sender emails the admin and records that the email was sent', async () => {
    // Prepare
    const customer = uniqueDomain();
    // Act
    const invitation = await createInvitation('fabrikam', input(customer, { customerName: 'Contoso Ltd', roles: ['USER_ADMIN'] }));
    await emailsSettled();
    // Assess
    expect(invitation).toMatchObject({ partnerId: 'fabrikam', partnerName: 'Fabrikam', status: 'PENDING', email: { status: 'QUEUED', attempts: 0 } });
    expect(invitation).not.toHaveProperty('tokenHash');
    const stored = await db().send(new GetCommand({ TableName: tableName(), Key: invitationKey(invitation.id) }));
    expect(stored.Item?.email).toMatchObject({ status: 'SENT', attempts: 1, kind: 'INVITATION' });
    const emails = await emailsTo(`admin@${customer}`);
    expect(emails).toHaveLength(1);
    const { invitationId, token } = linkIn(emails[0]!);
    expect(invitationId).toBe(invitation.id);
    expect(JSON.stringify(stored.Item)).not.toContain(token);
  });

  it("costs the request one transactional write once the partner profile is cached; the sender then reads, claims, sends and records", async () => {
    // Prepare
    await createInvitation('fabrikam', input(uniqueDomain()));
    const counter = await countSdkCalls();
    // Act
    await createInvitation('fabrikam', input(uniqueDomain()));
    const onRequestPath = [...counter.calls];
    await emailsSettled();
    counter.stop();
    // Assess
    expect(onRequestPath).toEqual(['TransactWriteItemsCommand']);
    // The sender: a consistent read of the job, the claim (the new link's hash), the email, and one small write that records
    // SENT on the invitation with EMAIL#<message id> for SES's later events. (The scans are the test waiting for it.)
    expect(counter.calls.filter((call) => call !== 'ScanCommand')).toEqual([
      'TransactWriteItemsCommand',
      'GetItemCommand',
      'UpdateItemCommand',
      'SendEmailCommand',
      'TransactWriteItemsCommand',
    ]);
  });

  it('keeps one pending invitation per partner and customer', async () => {
    const customer = uniqueDomain();
    const first = await createInvitation('fabrikam', input(customer));
    const refused = createInvitation('fabrikam', input(customer));
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'INVITATION_PENDING' });
    await expect(refused).rejects.toThrow(first.id);
  });

  it('lets a second partner invite a customer who already works with a first partner, changing nothing of the first relationship', async () => {
    // Prepare
    const customer = uniqueDomain();
    await inviteAndAccept('fabrikam', customer);
    const before = await db().send(new GetCommand({ TableName: tableName(), Key: relationshipKey('fabrikam', customer) }));
    // Act
    const second = await inviteAndAccept('adatum', customer);
    // Assess
    expect(second.relationship).toMatchObject({ partnerId: 'adatum', customerDomain: customer, status: 'ACTIVE' });
    const after = await db().send(new GetCommand({ TableName: tableName(), Key: relationshipKey('fabrikam', customer) }));
    expect(after.Item).toEqual(before.Item);
  });

  it('refuses to invite a customer the partner already works with', async () => {
    const customer = uniqueDomain();
    await inviteAndAccept('wingtip', customer);
    expect(await codeOf(createInvitation('wingtip', input(customer)))).toBe('409 RELATIONSHIP_EXISTS');
  });

  it.each([
    ['the inviting partner itself', 'fabrikam.com'],
    ['another registered partner', 'adatum.com'],
    ['a subdomain of a partner', 'eu.wingtiptoys.com'],
  ])('refuses %s as a customer', async (_, domain) => {
    expect(await codeOf(createInvitation('fabrikam', input(domain)))).toBe('422 PARTNER_CANNOT_BE_CUSTOMER');
  });

  it('lets a partner invite again once the previous invitation has expired, even before cleanup runs', async () => {
    const clock = movableClock();
    useClock(clock);
    const customer = uniqueDomain();
    const first = await createInvitation('fabrikam', input(customer));
    clock.advance(91 * DAY_MS);
    const second = await createInvitation('fabrikam', input(customer));
    expect(second.id).not.toBe(first.id);
    expect((await getInvitation('fabrikam', first.id)).status).toBe('EXPIRED');
    const guard = await db().send(new GetCommand({ TableName: tableName(), Key: pendingGuardKey('fabrikam', customer) }));
    expect(guard.Item?.invitationId).toBe(second.id);
  });

  it("answers another partner's invitation exactly like a missing one", async () => {
    const invitation = await createInvitation('fabrikam', input(uniqueDomain()));
    expect(await codeOf(getInvitation('adatum', invitation.id))).toBe('404 NOT_FOUND');
    expect(await codeOf(getInvitation('fabrikam', '00000000-0000-4000-8000-000000000000'))).toBe('404 NOT_FOUND');
  });

  it('refuses a partner that is not registered', async () => {
    expect(await codeOf(createInvitation('nobody', input(uniqueDomain())))).toBe('403 PARTNER_NOT_REGISTERED');
  });
});

describe('listing invitations', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  it('pages newest first with an opaque cursor, one query per page', async () => {
    // Prepare
    const created = [];
    const clock = movableClock('2026-11-01T00:00:00Z');
    useClock(clock);
    for (let i = 0; i < 3; i++) {
      created.push(await createInvitation('wingtip', input(uniqueDomain())));
      clock.advance(1000);
    }
    useClock(undefined);
    const counter = await countSdkCalls();
    // Act
    const first = await listInvitations('wingtip', { limit: 2 });
    const second = await listInvitations('wingtip', { limit: 2, cursor: first.nextCursor ?? undefined });
    counter.stop();
    // Assess
    expect(first.items.map((i) => i.id)).toEqual([created[2]!.id, created[1]!.id]);
    expect(second.items.map((i) => i.id)).toEqual([created[0]!.id]);
    expect(counter.calls).toEqual(['QueryCommand', 'QueryCommand']);
  });

  it("refuses a cursor that points into another partner's list", async () => {
    await createInvitation('adatum', input(uniqueDomain()));
    await createInvitation('adatum', input(uniqueDomain()));
    const adatumPage = await listInvitations('adatum', { limit: 1 });
    expect(await codeOf(listInvitations('wingtip', { limit: 1, cursor: adatumPage.nextCursor ?? undefined }))).toBe('400 VALIDATION_FAILED');
    expect(await codeOf(listInvitations('wingtip', { limit: 1, cursor: 'not-a-cursor' }))).toBe('400 VALIDATION_FAILED');
  });

  it('filters by status as of now, counting overdue pending invitations as expired', async () => {
    const clock = movableClock();
    useClock(clock);
    const old = await createInvitation('fabrikam', input(uniqueDomain()));
    clock.advance(91 * DAY_MS);
    const fresh = await createInvitation('fabrikam', input(uniqueDomain()));
    const expired = await listInvitations('fabrikam', { limit: 100, status: 'EXPIRED' });
    const pending = await listInvitations('fabrikam', { limit: 100, status: 'PENDING' });
    useClock(undefined);
    expect(expired.items.map((i) => i.id)).toEqual([old.id]);
    expect(pending.items.map((i) => i.id)).toEqual([fresh.id]);
  });
});

describe('when the email cannot be sent', () => {
  beforeAll(async () => {
    await useTestTable({ sesEndpoint: 'http://127.0.0.1:9' });
  });

  it('keeps the invitation, retries the send and records it FAILED once every attempt failed', async () => {
    const invitation = await createInvitation('fabrikam', input(uniqueDomain()));
    expect(invitation.email.status).toBe('QUEUED');
    await emailsSettled();
    expect((await getInvitation('fabrikam', invitation.id)).email).toMatchObject({ status: 'FAILED', attempts: 8 });
  });
});

describe('the daily invitation quota', () => {
  beforeAll(async () => {
    process.env.INVITATION_QUOTA_PER_DAY = '3';
    await useTestTable();
  });
  afterEach(() => {
    useClock(undefined);
  });
  afterAll(() => {
    delete process.env.INVITATION_QUOTA_PER_DAY;
  });

  it('refuses the invitation past the quota with 429 and Retry-After until the UTC day turns, atomically', async () => {
    // Prepare
    const clock = movableClock('2026-11-24T23:00:00Z');
    useClock(clock);
    await Promise.all([1, 2, 3].map(() => createInvitation('adatum', input(uniqueDomain()))));
    // Act
    const refused = await createInvitation('adatum', input(uniqueDomain())).catch((error: unknown) => error);
    // Assess
    expect(refused).toMatchObject({ status: 429, code: 'INVITATION_QUOTA_EXCEEDED', headers: { 'Retry-After': '3600' } });
    expect((await listInvitations('adatum', { limit: 100 })).items).toHaveLength(3);
    expect((await createInvitation('fabrikam', input(uniqueDomain()))).status).toBe('PENDING');
    clock.advance(60 * 60 * 1000);
    expect((await createInvitation('adatum', input(uniqueDomain()))).status).toBe('PENDING');
  });
});

describe('resending an invitation', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  it('emails a new link that says it replaces the earlier email, whose link no longer works', async () => {
    // Prepare
    const customer = uniqueDomain();
    const invitation = await createInvitation('fabrikam', input(customer));
    await emailsSettled();
    // Act
    await resendInvitation('fabrikam', invitation.id);
    // Assess
    const [first, resent] = await emailsTo(`admin@${customer}`);
    const replaces = /replaces the one sent earlier for this request: the link in that email no longer works/;
    expect(first?.body.text).not.toMatch(replaces);
    expect(first?.body.html).not.toMatch(replaces);
    expect(resent?.body.text).toMatch(replaces);
    expect(resent?.body.html).toMatch(replaces);
    expect(await codeOf(decide(invitation.id, linkIn(first!).token, { decision: 'decline' }))).toBe('410 LINK_REPLACED');
  });
});
