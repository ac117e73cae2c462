import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decide, openRequest } from '../../shared/acceptance/service.js';
import { runCleanup, type CleanupReport } from '../../shared/cleanup/service.js';
import { DAY_MS, addDays, movableClock, useClock } from '../../shared/clock.js';
import { resetConfig } from '../../shared/config.js';
import { db, tableName } from '../../shared/data/client.js';
import { invitationKey, policyKey, relationshipKey } from '../../shared/data/keys.js';
import { formatTime } from '../../shared/i18n/catalogue.js';
import type { Invitation } from '../../shared/invitations/model.js';
import { defaultPolicy, policySchema } from '../../shared/policy/model.js';
import { stackFile, type StackFile } from '../../infra/local/stack.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { adminOf, auditTrail, invite } from '../support/lifecycle.js';
import { emailsTo, linkIn, type StoredEmail } from '../support/mail.js';

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string; status?: number }) => `${error.status} ${error.code}`,
  );

const HOUR = 60 * 60 * 1000;
const START = '2027-01-04T09:00:00.000Z';

const stored = async (key: Record<string, string>) => (await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
const storedInvitation = async (id: string) => (await stored(invitationKey(id))) as (Invitation & { GSI2SK: string }) | undefined;

/** A moment `days` before `end`, plus an hour: the notice of that many days is due, the next one is not. */
const daysBefore = (end: string, days: number) => new Date(Date.parse(end) - days * DAY_MS + HOUR);

/** Runs the schedule at `at`. */
async function runAt(clock: ReturnType<typeof movableClock>, at: Date): Promise<CleanupReport> {
  clock.set(at);
  return runCleanup();
}

/** Sets the customer's policy as `PUT /customer/policy` stores it: here, who is to be told. */
async function setNotify(customerDomain: string, notify: string[]): Promise<void> {
  const policy = policySchema.parse({ ...defaultPolicy(customerDomain), notify, updatedAt: START, updatedBy: adminOf(customerDomain) });
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...policyKey(customerDomain), type: 'POLICY', ...policy } }));
}

/** Fabrikam asks a customer that tells its security mailbox for directory reader (90 days unless said), and the admin accepts from the link. */
async function granted(options: { autoExtend: boolean; durationDays?: number }) {
  const customer = uniqueDomain();
  const security = `security@${customer}`;
  await setNotify(customer, [security]);
  const { invitation, token } = await invite('fabrikam', customer, { roles: ['DIRECTORY_READER'], durationDays: options.durationDays ?? 90, autoExtend: options.autoExtend });
  const { relationship } = await decide(invitation.id, token, { decision: 'accept' });
  if (relationship === null) throw new Error('not granted');
  return { customer, security, relationship };
}

/** What the partner's contact address got about one customer. */
const partnerMail = async (customer: string) => (await emailsTo('ops@fabrikam.com')).filter((email) => email.subject.includes(customer));
const subjects = (emails: readonly StoredEmail[]) => emails.map((email) => email.subject);

describe('reminders of a pending request, on the schedule', () => {
  let clock: ReturnType<typeof movableClock>;
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => {
    useClock(undefined);
    delete process.env.INVITATION_TTL_DAYS;
    resetConfig();
  });

  it('queues the 7-day and the 1-day reminder once each; the email sender mails each with a new link, in the admin\'s language; then the request expires', async () => {
    // Prepare
    clock = movableClock(START);
    useClock(clock);
    const customer = uniqueDomain();
    const { invitation, token: firstLink } = await invite('fabrikam', customer, { locale: 'de' });
    const sentBefore = (await emailsTo(adminOf(customer))).length;
    // Act: the 7-day point, twice
    const first = await runAt(clock, daysBefore(invitation.expiresAt, 7));
    const again = await runCleanup();
    // Assess
    expect(first.remindersQueued).toEqual([{ id: invitation.id, daysBefore: 7 }]);
    expect(again.remindersQueued).toEqual([]);
    const sevenDays = await emailsTo(adminOf(customer));
    const afterSeven = await storedInvitation(invitation.id);
    expect(afterSeven).toMatchObject({ status: 'PENDING', remindedDays: [7], email: { status: 'SENT', kind: 'REMINDER', attempts: 1 } });
    expect(afterSeven?.email.job).toMatch(/^[0-9a-f-]{36}$/);
    expect(sevenDays).toHaveLength(sentBefore + 1);
    expect(sevenDays.at(-1)?.subject).toMatch(/^Erinnerung: /);
    expect(sevenDays.at(-1)?.body.text).toContain('nur noch 7 Tage offen');
    expect(await codeOf(openRequest(invitation.id, firstLink))).toBe('410 LINK_REPLACED');
    expect(afterSeven?.GSI2SK.startsWith(addDays(new Date(invitation.expiresAt), -1).toISOString())).toBe(true);

    // Act: the 1-day point, two runs at once
    const [a, b] = await Promise.all([runAt(clock, daysBefore(invitation.expiresAt, 1)), runCleanup()]);
    // Assess
    expect([...a.remindersQueued, ...b.remindersQueued]).toEqual([{ id: invitation.id, daysBefore: 1 }]);
    const oneDay = await emailsTo(adminOf(customer));
    const afterOne = await storedInvitation(invitation.id);
    expect(afterOne).toMatchObject({ remindedDays: [7, 1], email: { status: 'SENT', kind: 'REMINDER' } });
    expect(oneDay).toHaveLength(sentBefore + 2);
    expect(oneDay.at(-1)?.body.text).toContain('nur noch 1 Tag offen');
    expect(await codeOf(openRequest(invitation.id, linkIn(oneDay.at(-1)!).token))).toBe('ok');
    expect(afterOne?.email.job).not.toBe(afterSeven?.email.job);
    const queued = (await auditTrail({ partnerId: 'fabrikam' })).filter((e) => e.type === 'InvitationReminderQueued' && e.invitationId === invitation.id);
    expect(queued.map((e) => e.details)).toEqual([
      { daysBefore: 1, job: afterOne?.email.job },
      { daysBefore: 7, job: afterSeven?.email.job },
    ]);

    // Act: the end
    const end = await runAt(clock, new Date(Date.parse(invitation.expiresAt) + HOUR));
    // Assess
    expect(end.expiredInvitations).toEqual([invitation.id]);
    expect(end.remindersQueued).toEqual([]);
    expect(await storedInvitation(invitation.id)).toMatchObject({ status: 'EXPIRED', remindedDays: [7, 1] });
    expect(subjects(await partnerMail(customer))).toEqual([`Your request for admin access to ${customer} expired unanswered`]);
  });

  it('queues each reminder once when two runs go at the same time over many requests', async () => {
    // Prepare
    clock = movableClock(START);
    useClock(clock);
    const invited = await Promise.all(['fabrikam', 'adatum', 'wingtip', 'fabrikam', 'adatum'].map((partner) => invite(partner, uniqueDomain())));
    const expiresAt = invited[0]!.invitation.expiresAt;
    // Act
    const [a, b] = await Promise.all([runAt(clock, daysBefore(expiresAt, 7)), runCleanup()]);
    // Assess
    const queued = [...a.remindersQueued, ...b.remindersQueued].map((r) => r.id).sort();
    expect(queued).toEqual(invited.map((i) => i.invitation.id).sort());
    for (const { invitation } of invited) expect(await storedInvitation(invitation.id)).toMatchObject({ remindedDays: [7] });
  });

  it('skips the reminders already past when a short-lived request is written: a 3-day request gets only the 1-day one', async () => {
    // Prepare
    process.env.INVITATION_TTL_DAYS = '3';
    resetConfig();
    clock = movableClock(START);
    useClock(clock);
    const { invitation } = await invite('adatum', uniqueDomain());
    // Act
    const early = await runAt(clock, new Date(Date.parse(START) + HOUR));
    const due = await runAt(clock, daysBefore(invitation.expiresAt, 1));
    // Assess
    expect(Date.parse(invitation.expiresAt) - Date.parse(START)).toBe(3 * DAY_MS);
    expect(early.remindersQueued).toEqual([]);
    expect(due.remindersQueued).toEqual([{ id: invitation.id, daysBefore: 1 }]);
    expect(await storedInvitation(invitation.id)).toMatchObject({ remindedDays: [1] });
  });

  it('withholds the reminder of an address that bounced, and moves on to the next point', async () => {
    // Prepare
    clock = movableClock(START);
    useClock(clock);
    const { invitation } = await invite('wingtip', uniqueDomain());
    await db().send(
      new UpdateCommand({ TableName: tableName(), Key: invitationKey(invitation.id), UpdateExpression: 'SET email.#status = :bounced', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':bounced': 'BOUNCED' } }),
    );
    // Act
    const report = await runAt(clock, daysBefore(invitation.expiresAt, 7));
    const again = await runCleanup();
    // Assess
    expect(report.remindersWithheld).toEqual([{ id: invitation.id, daysBefore: 7 }]);
    expect(report.remindersQueued).toEqual([]);
    expect(again.remindersWithheld).toEqual([]);
    const after = await storedInvitation(invitation.id);
    expect(after?.email.status).toBe('BOUNCED');
    expect(after).not.toHaveProperty('remindedDays');
    expect(after?.GSI2SK.startsWith(addDays(new Date(invitation.expiresAt), -1).toISOString())).toBe(true);
  });
});

describe('notices that a relationship ends, on the schedule', () => {
  let clock: ReturnType<typeof movableClock>;
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => useClock(undefined));

  it('tells the partner and the notify addresses 30, 7 and 1 days ahead, once each, in English, then expires it', async () => {
    // Prepare
    clock = movableClock(START);
    useClock(clock);
    const { customer, security, relationship } = await granted({ autoExtend: false });
    const { endsAt } = relationship;
    // Act: at each point, two runs at once, then one more
    const reports: CleanupReport[] = [];
    for (const days of [30, 7, 1]) {
      reports.push(...(await Promise.all([runAt(clock, daysBefore(endsAt, days)), runCleanup()])));
      reports.push(await runCleanup());
    }
    const end = await runAt(clock, new Date(Date.parse(endsAt) + HOUR));
    // Assess
    expect(reports.flatMap((r) => r.endNotices)).toEqual([30, 7, 1].map((days) => ({ id: relationship.id, daysBefore: days })));
    expect(end.expiredRelationships).toEqual([relationship.id]);
    const toCustomer = (await emailsTo(security)).filter((email) => !/was granted/.test(email.subject));
    expect(subjects(toCustomer)).toEqual([
      `Fabrikam's admin access to ${customer} ends in 30 days`,
      `Fabrikam's admin access to ${customer} ends in 7 days`,
      `Fabrikam's admin access to ${customer} ends in 1 day`,
      `Fabrikam's admin access to ${customer} has expired`,
    ]);
    const [thirty] = toCustomer as [StoredEmail];
    expect(thirty.body.html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr">/);
    expect(thirty.body.text).toContain(`The delegated admin access of Fabrikam (partner id fabrikam) to your organisation ${customer} ends in 30 days, on ${formatTime(endsAt, 'en')}.`);
    expect(thirty.body.text).toContain('Roles it holds:\n  - Directory reader (DIRECTORY_READER)');
    expect(thirty.body.text).toContain('It does not extend itself');
    expect(`${thirty.body.text}${thirty.body.html}`).not.toMatch(/https?:|token=/);
    const toPartner = (await partnerMail(customer)).filter((email) => !/accepted your request/.test(email.subject));
    expect(subjects(toPartner)).toEqual([
      `Your admin access to ${customer} ends in 30 days`,
      `Your admin access to ${customer} ends in 7 days`,
      `Your admin access to ${customer} ends in 1 day`,
    ]);
    expect(toPartner[2]?.body.text).toContain(`Your delegated admin access to ${customer} ends in 1 day, on ${formatTime(endsAt, 'en')}.`);
    expect(toPartner[2]?.body.text).toContain('the contact address of the partner profile of Fabrikam');
    expect(await stored(relationshipKey('fabrikam', customer))).toMatchObject({ status: 'EXPIRED' });
  });

  it('tells nobody ahead of the end of an auto-extending relationship, and extends it at its end', async () => {
    // Prepare
    clock = movableClock(START);
    useClock(clock);
    const { customer, security, relationship } = await granted({ autoExtend: true });
    // Act
    const reports = [];
    for (const days of [30, 7, 1]) reports.push(await runAt(clock, daysBefore(relationship.endsAt, days)));
    const end = await runAt(clock, new Date(Date.parse(relationship.endsAt) + HOUR));
    // Assess
    expect(reports.flatMap((r) => r.endNotices)).toEqual([]);
    expect(end.extendedRelationships).toEqual([relationship.id]);
    expect(subjects(await emailsTo(security))).toEqual([`Fabrikam was granted admin access to ${customer}`]);
    expect(subjects(await partnerMail(customer))).toEqual([`${customer} accepted your request for admin access`]);
  });

  it('sends a late run only the latest notice due, and only expires a relationship whose end it finds passed', async () => {
    // Prepare: the schedule did not run for months
    clock = movableClock(START);
    useClock(clock);
    const late = await granted({ autoExtend: false });
    const overdue = await granted({ autoExtend: false, durationDays: 30 });
    // Act
    const report = await runAt(clock, daysBefore(late.relationship.endsAt, 1));
    // Assess
    expect(report.endNotices).toEqual([{ id: late.relationship.id, daysBefore: 1 }]);
    expect(report.expiredRelationships).toEqual([overdue.relationship.id]);
    expect(subjects(await emailsTo(late.security)).filter((s) => s.includes(' ends in '))).toEqual([`Fabrikam's admin access to ${late.customer} ends in 1 day`]);
    expect(subjects(await emailsTo(overdue.security))).toEqual([
      `Fabrikam was granted admin access to ${overdue.customer}`,
      `Fabrikam's admin access to ${overdue.customer} has expired`,
    ]);
  });
});

describe('the cost of a run', () => {
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => useClock(undefined));

  it('reads only the entries due, however many items wait further ahead', async () => {
    // Prepare: many requests and relationships far from any point, two requests at their 7-day point
    const clock = movableClock(START);
    useClock(clock);
    await Promise.all(Array.from({ length: 12 }, (_, i) => invite(['fabrikam', 'adatum', 'wingtip'][i % 3]!, uniqueDomain())));
    await Promise.all(Array.from({ length: 3 }, () => granted({ autoExtend: false })));
    clock.set(new Date(Date.parse(START) - 40 * DAY_MS));
    const due = await Promise.all([invite('fabrikam', uniqueDomain()), invite('adatum', uniqueDomain())]);
    const at = daysBefore(due[0]!.invitation.expiresAt, 7);
    const reads = countQueried();
    // Act
    const report = await runAt(clock, at);
    const next = await runCleanup();
    reads.stop();
    // Assess
    expect(report.remindersQueued.map((r) => r.id).sort()).toEqual(due.map((d) => d.invitation.id).sort());
    expect(reads.perRun).toEqual([2, 0]);
    expect(next.remindersQueued).toEqual([]);
  });
});

/** Counts the items the expiry index queries return, per run (a run is 8 queries, one per shard). */
function countQueried(): { perRun: number[]; stop(): void } {
  const items: number[] = [];
  const name = 'count-queried';
  const middleware = (next: (args: unknown) => Promise<{ output: { Count?: number } }>, context: { commandName?: string }) => async (args: unknown) => {
    const result = await next(args);
    if (context.commandName === 'QueryCommand') items.push(result.output.Count ?? 0);
    return result;
  };
  db().middlewareStack.add(middleware as never, { step: 'initialize', name });
  return {
    get perRun() {
      return Array.from({ length: Math.ceil(items.length / 8) }, (_, run) => items.slice(run * 8, run * 8 + 8).reduce((sum, n) => sum + n, 0));
    },
    stop: () => {
      db().middlewareStack.remove(name);
    },
  };
}

describe('npm run cleanup -- --at', () => {
  beforeAll(async () => {
    await useTestTable();
  });
  afterEach(() => useClock(undefined));

  const cli = (args: string[], dataDir: string) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/local/cleanup.ts', ...args], {
      // As an operator's shell runs it: none of the test process's environment.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOCAL_DATA_DIR: dataDir },
    }).then(
      (result) => ({ code: 0, ...result }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  it('runs the schedule once as if it were that time against the running stack, and prints what it queued', async () => {
    // Prepare: the stack file a running `npm start` writes, naming this test's table
    useClock(movableClock(START));
    const { invitation } = await invite('fabrikam', uniqueDomain());
    useClock(undefined);
    const dataDir = await mkdtemp(join(tmpdir(), 'cleanup-at-'));
    const file: StackFile = {
      apiUrl: 'http://127.0.0.1:1',
      sesUrl: process.env.SES_ENDPOINT!,
      idpUrl: 'http://127.0.0.1:1',
      dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
      sesEndpoint: process.env.SES_ENDPOINT!,
      tableName: tableName(),
      senderEmail: process.env.SENDER_EMAIL!,
      publicBaseUrl: process.env.PUBLIC_BASE_URL!,
    };
    await writeFile(stackFile(dataDir), JSON.stringify(file));
    const at = daysBefore(invitation.expiresAt, 7).toISOString();
    try {
      // Act
      const result = await cli(['--at', at], dataDir);
      // Assess
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as CleanupReport;
      expect(report).toMatchObject({ at, remindersQueued: [{ id: invitation.id, daysBefore: 7 }], endNotices: [], expiredInvitations: [] });
      expect(await storedInvitation(invitation.id)).toMatchObject({ remindedDays: [7], email: { kind: 'REMINDER' } });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed --at with one line and exit code 2', async () => {
    const result = await cli(['--at', '2027-02-30T25:00:00Z'], join(tmpdir(), 'no-stack-here'));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['error: --at wants an ISO 8601 time such as 2026-12-01T09:00:00Z (or a date, 2026-12-01), got "2027-02-30T25:00:00Z"']);
    expect(result.stdout).toBe('');
  });
});
