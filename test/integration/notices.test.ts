import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decide } from '../../shared/acceptance/service.js';
import { signedInCookie } from '../support/sign-in.js';
import { runCleanup } from '../../shared/cleanup/service.js';
import { DAY_MS, movableClock, useClock } from '../../shared/clock.js';
import { db, tableName } from '../../shared/data/client.js';
import { policyKey } from '../../shared/data/keys.js';
import { publishAuditRecords, resetEventBridge } from '../../shared/events/publisher.js';
import { logger } from '../../shared/log.js';
import { NOTICE_FOOTER } from '../../shared/notices/emails.js';
import { putPartner } from '../../shared/partners/repository.js';
import { defaultPolicy, policySchema } from '../../shared/policy/model.js';
import { formatTime as formatTimeIn } from '../../shared/i18n/catalogue.js';
import { endRelationship } from '../../shared/relationships/end.js';
import { allCustomerRelationships, listCustomerRelationships, toCsv } from '../../shared/relationships/service.js';
import { startEventBridgeStandIn, type EventBridgeStandIn, type ReceivedEvent } from '../../infra/local/eventbridge.js';
import { countSdkCalls, uniqueDomain, useTestTable } from '../support/environment.js';
import { auditTrail, invite } from '../support/lifecycle.js';
import { emailsTo, type StoredEmail } from '../support/mail.js';
import { auditInserts } from '../support/events.js';

const formatTime = (iso: string) => formatTimeIn(iso, 'en');

/** Sets the customer's policy as `PUT /customer/policy` stores it: here, who is to be told. */
async function setNotify(customerDomain: string, notify: string[]): Promise<void> {
  const policy = policySchema.parse({ ...defaultPolicy(customerDomain), notify, updatedAt: new Date().toISOString(), updatedBy: `admin@${customerDomain}` });
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...policyKey(customerDomain), type: 'POLICY', ...policy } }));
}

/** A customer whose policy tells its security and audit mailboxes. */
async function watchedCustomer(): Promise<{ customer: string; security: string; auditor: string }> {
  const customer = uniqueDomain();
  const security = `security@${customer}`;
  const auditor = `audit@${customer}`;
  await setNotify(customer, [security, auditor]);
  return { customer, security, auditor };
}

/** `partnerId` asks for `roles` and the customer's admin, signed in, accepts (power roles need it). */
async function grant(partnerId: string, customer: string, roles: string[], extra: Record<string, unknown> = {}) {
  const { invitation, token } = await invite(partnerId, customer, { roles, durationDays: 30, ...extra });
  const result = await decide(invitation.id, token, { decision: 'accept' }, await signedInCookie(invitation.id, token, `admin@${customer}`));
  if (result.relationship === null) throw new Error('not granted');
  return result.relationship;
}

const withSubject = (emails: StoredEmail[], pattern: RegExp) => emails.filter((email) => pattern.test(email.subject));

/** Every notice carries the same facts in both bodies, a titled HTML page, and no link at all. */
function expectPlainNotice(email: StoredEmail): void {
  expect(email.body.html).toContain(`<title>`);
  expect(email.body.html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr">/);
  expect(email.body.text).toContain(NOTICE_FOOTER);
  expect(`${email.body.text}${email.body.html}`).not.toMatch(/https?:|token=|\/accept\//);
}

let standIn: EventBridgeStandIn;


beforeAll(async () => {
  await useTestTable();
  standIn = await startEventBridgeStandIn({ port: 0, log: () => undefined });
  process.env.EVENTBRIDGE_ENDPOINT = standIn.endpoint;
  resetEventBridge();
});
afterAll(async () => {
  resetEventBridge();
  await standIn?.stop();
});

describe('the customer is told of each grant, end and expiry', () => {
  afterEach(() => {
    useClock(undefined);
    vi.restoreAllMocks();
  });

  it('emails every notify address who was granted which roles, until when, and who approved', async () => {
    // Prepare
    const { customer, security, auditor } = await watchedCustomer();
    // Act
    const relationship = await grant('fabrikam', customer, ['USER_ADMIN', 'BILLING_READER']);
    // Assess
    for (const address of [security, auditor]) {
      const [notice, ...more] = await emailsTo(address);
      expect(more).toEqual([]);
      expect(notice?.subject).toBe(`Fabrikam was granted admin access to ${customer}`);
      expect(notice?.destination.to).toEqual([address]);
      expect(notice?.body.text).toContain(`Fabrikam (partner id fabrikam) was granted delegated admin access to your organisation ${customer}.`);
      expect(notice?.body.text).toContain('Roles granted:\n  - User administrator (USER_ADMIN)\n  - Billing reader (BILLING_READER)');
      expect(notice?.body.text).toContain(`Until: ${formatTime(relationship.endsAt)}`);
      expect(notice?.body.text).toContain(`Approved by: admin@${customer}, signed in as an admin of ${customer}`);
      expect(notice?.body.text).not.toContain('More than one partner');
      expect(notice?.body.html).toContain(`<li>User administrator (USER_ADMIN)</li>`);
      expectPlainNotice(notice!);
    }
    // The admin who accepted gets no notice, only the request.
    expect((await emailsTo(`admin@${customer}`)).map((email) => email.subject)).toEqual([`Fabrikam asks for admin access to ${customer}`]);
  });

  it('emails that the partner ended it, and that the customer ended it', async () => {
    // Prepare
    const { customer, security } = await watchedCustomer();
    await grant('fabrikam', customer, ['HELPDESK_ADMIN']);
    await grant('adatum', customer, ['DIRECTORY_READER']);
    // Act
    const byPartner = await endRelationship('fabrikam', customer, { kind: 'partner', partnerId: 'fabrikam' });
    const byCustomer = await endRelationship('adatum', customer, { kind: 'customer', customerDomain: customer });
    // Assess
    const ended = withSubject(await emailsTo(security), /has ended$/);
    expect(ended.map((email) => email.subject)).toEqual([`Fabrikam's admin access to ${customer} has ended`, `Adatum's admin access to ${customer} has ended`]);
    const [partnerEnd, customerEnd] = ended as [StoredEmail, StoredEmail];
    expect(partnerEnd.body.text).toContain('Roles it held:\n  - Helpdesk administrator (HELPDESK_ADMIN)');
    expect(partnerEnd.body.text).toContain(`Ended: ${formatTime(byPartner.terminatedAt!)}\nEnded by: the partner, Fabrikam`);
    expect(customerEnd.body.text).toContain('Roles it held:\n  - Directory reader (DIRECTORY_READER)');
    expect(customerEnd.body.text).toContain(`Ended: ${formatTime(byCustomer.terminatedAt!)}\nEnded by: an admin of your organisation ${customer}`);
    for (const email of ended) expectPlainNotice(email);
  });

  it('emails an expiry found by the schedule, with the roles it held', async () => {
    // Prepare
    const clock = movableClock('2026-03-01T00:00:00Z');
    useClock(clock);
    const { customer, security } = await watchedCustomer();
    const relationship = await grant('fabrikam', customer, ['LICENSE_ADMIN'], { autoExtend: false });
    clock.advance(31 * DAY_MS);
    // Act
    const report = await runCleanup();
    // Assess
    expect(report.expiredRelationships).toContain(relationship.id);
    const [expired, ...more] = withSubject(await emailsTo(security), /has expired$/);
    expect(more).toEqual([]);
    expect(expired?.subject).toBe(`Fabrikam's admin access to ${customer} has expired`);
    expect(expired?.body.text).toContain('Roles it held:\n  - License administrator (LICENSE_ADMIN)');
    expect(expired?.body.text).toContain(`Ended: ${formatTime(relationship.endsAt)}\nEnded by: its end date (nobody extended it)`);
    expectPlainNotice(expired!);
  });

  it('emails the expiry of an overdue relationship that an accept closed, then the new grant', async () => {
    // Prepare
    const clock = movableClock('2026-05-01T00:00:00Z');
    useClock(clock);
    const { customer, security } = await watchedCustomer();
    const first = await grant('fabrikam', customer, ['USER_ADMIN'], { autoExtend: false });
    clock.advance(31 * DAY_MS);
    // Act: before the schedule runs, the partner asks again and the admin accepts
    const second = await grant('fabrikam', customer, ['DIRECTORY_READER']);
    // Assess
    const subjects = (await emailsTo(security)).map((email) => email.subject);
    expect(subjects).toEqual([
      `Fabrikam was granted admin access to ${customer}`,
      `Fabrikam's admin access to ${customer} has expired`,
      `Fabrikam was granted admin access to ${customer}`,
    ]);
    const [, expired, granted] = await emailsTo(security);
    expect(expired?.body.text).toContain('User administrator (USER_ADMIN)');
    expect(expired?.body.text).toContain(formatTime(first.endsAt));
    expect(granted?.body.text).toContain(`Until: ${formatTime(second.endsAt)}`);
  });

  it('emails nobody when the policy names no one to notify and the partner’s profile has no contact address', async () => {
    // Prepare: a partner registered with a contact address, then registered again without one
    const partnerId = `quiet-${uniqueDomain().slice(8, 16)}`;
    await putPartner({ id: partnerId, name: 'Quiet', domain: `${partnerId}.example`, contactEmail: `ops@${partnerId}.example` });
    await putPartner({ id: partnerId, name: 'Quiet', domain: `${partnerId}.example` });
    const customer = uniqueDomain();
    const { invitation, token } = await invite(partnerId, customer, { roles: ['USER_ADMIN'] });
    const cookie = await signedInCookie(invitation.id, token, `admin@${customer}`);
    const counter = await countSdkCalls();
    // Act
    await decide(invitation.id, token, { decision: 'accept' }, cookie);
    await endRelationship(partnerId, customer, { kind: 'customer', customerDomain: customer });
    counter.stop();
    // Assess
    expect(counter.calls).not.toContain('SendEmailCommand');
    expect(counter.calls).toContain('TransactWriteItemsCommand');
  });

  it('still answers the accept and keeps the relationship when the notice cannot be sent, and counts it', async () => {
    // Prepare
    const { customer, security } = await watchedCustomer();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['USER_ADMIN'] });
    const cookie = await signedInCookie(invitation.id, token, `admin@${customer}`);
    const warnings = vi.spyOn(logger, 'warn');
    const ses = mockClient(SESClient);
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Throttling: Maximum sending rate exceeded.'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    // Act
    const result = await decide(invitation.id, token, { decision: 'accept' }, cookie).finally(() => ses.restore());
    // Assess
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination?.ToAddresses)).toEqual([[security], [`audit@${customer}`], ['ops@fabrikam.com']]);
    expect(result.relationship).toMatchObject({ partnerId: 'fabrikam', status: 'ACTIVE' });
    const listed = await listCustomerRelationships(customer, { limit: 10 });
    expect(listed.items.map((r) => r.status)).toEqual(['ACTIVE']);
    expect(warnings).toHaveBeenCalledWith('Customer notice failed', { notice: 'grant', relationshipId: result.relationship?.id, error: 'Throttling' });
    expect(warnings).toHaveBeenCalledWith('Partner notice failed', { notice: 'accepted', partnerId: 'fabrikam', relationshipId: result.relationship?.id, error: 'Throttling' });
    expect(await emailsTo(security)).toEqual([]);
    expect(await partnerNotices('fabrikam', customer)).toEqual([]);
  });
});

/** The notices a seeded partner's contact address (`ops@<its domain>`) got about one customer. */
async function partnerNotices(partnerId: 'fabrikam' | 'adatum', customer: string): Promise<StoredEmail[]> {
  return (await emailsTo(`ops@${partnerId}.com`)).filter((email) => email.subject.includes(customer));
}

/** The partner's notice: the partner-profile footer, a titled English HTML page, and no link. */
function expectPartnerNotice(email: StoredEmail, partnerName: string): void {
  expect(email.body.text).toContain(`You receive this notice because this address is the contact address of the partner profile of ${partnerName}.`);
  expect(email.body.html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr">/);
  expect(email.body.html).toContain('<title>');
  expect(`${email.body.text}${email.body.html}`).not.toMatch(/https?:|token=|\/accept\//);
}

describe('the partner hears back at its contact address', () => {
  afterEach(() => {
    useClock(undefined);
    vi.restoreAllMocks();
  });

  it('emails the roles and the duration actually granted, and who approved, when its request is accepted', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['USER_ADMIN', 'BILLING_READER'], durationDays: 30 });
    const cookie = await signedInCookie(invitation.id, token, `admin@${customer}`);
    // Act: the admin keeps one role and shortens the duration
    const result = await decide(invitation.id, token, { decision: 'accept', roles: ['USER_ADMIN'], durationDays: 10 }, cookie);
    // Assess
    const [notice, ...more] = await partnerNotices('fabrikam', customer);
    expect(more).toEqual([]);
    expect(notice?.destination.to).toEqual(['ops@fabrikam.com']);
    expect(notice?.subject).toBe(`${customer} accepted your request for admin access`);
    expect(notice?.body.text).toContain(`Your request for delegated admin access to ${customer} was accepted.\nRequest: ${invitation.id}`);
    expect(notice?.body.text).toContain('Roles granted:\n  - User administrator (USER_ADMIN)\n\nRequested but not granted:\n  - Billing reader (BILLING_READER)');
    expect(notice?.body.text).toContain(`Granted for: 10 days\nUntil: ${formatTime(result.relationship!.endsAt)}, then extended by 180 days at a time unless someone ends it\nApproved by: admin@${customer}, signed in as an admin of ${customer}`);
    expectPartnerNotice(notice!, 'Fabrikam');
  });

  it('emails a decline with the admin’s reason (escaped), or says none was given', async () => {
    // Prepare
    const customer = uniqueDomain();
    const first = await invite('fabrikam', customer, { roles: ['DIRECTORY_READER'] });
    const second = await invite('adatum', customer, { roles: ['BILLING_READER'] });
    // Act
    await decide(first.invitation.id, first.token, { decision: 'decline', reason: 'We work with <b>another</b> partner' });
    await decide(second.invitation.id, second.token, { decision: 'decline' });
    // Assess
    const [withReason, ...more] = await partnerNotices('fabrikam', customer);
    expect(more).toEqual([]);
    expect(withReason?.subject).toBe(`${customer} declined your request for admin access`);
    expect(withReason?.body.text).toContain(`An admin of ${customer} declined your request for delegated admin access.\nRequest: ${first.invitation.id}`);
    expect(withReason?.body.text).toContain('Roles requested:\n  - Directory reader (DIRECTORY_READER)');
    expect(withReason?.body.text).toContain('Their reason: We work with <b>another</b> partner');
    expect(withReason?.body.html).toContain('Their reason: We work with &lt;b&gt;another&lt;/b&gt; partner');
    expectPartnerNotice(withReason!, 'Fabrikam');
    const [withoutReason] = await partnerNotices('adatum', customer);
    expect(withoutReason?.body.text).toContain('They gave no reason.');
    expectPartnerNotice(withoutReason!, 'Adatum');
  });

  it('emails once that a request expired unanswered, when the schedule closes it (twice run, once told)', async () => {
    // Prepare
    const clock = movableClock('2026-06-01T00:00:00Z');
    useClock(clock);
    const customer = uniqueDomain();
    const { invitation } = await invite('fabrikam', customer, { roles: ['SECURITY_READER'] });
    clock.advance(91 * DAY_MS);
    // Act
    const report = await runCleanup();
    await runCleanup();
    // Assess
    expect(report.expiredInvitations).toContain(invitation.id);
    const [expired, ...more] = await partnerNotices('fabrikam', customer);
    expect(more).toEqual([]);
    expect(expired?.subject).toBe(`Your request for admin access to ${customer} expired unanswered`);
    expect(expired?.body.text).toContain(
      `Nobody at ${customer} answered your request for delegated admin access before it expired on ${formatTime(invitation.expiresAt)}.\nRequest: ${invitation.id}`,
    );
    expectPartnerNotice(expired!, 'Fabrikam');
  });

  it('emails the partner when the customer ends the relationship, and not when the partner ends it itself', async () => {
    // Prepare
    const customer = uniqueDomain();
    await grant('fabrikam', customer, ['HELPDESK_ADMIN']);
    await grant('adatum', customer, ['DIRECTORY_READER']);
    // Act
    const byCustomer = await endRelationship('fabrikam', customer, { kind: 'customer', customerDomain: customer });
    await endRelationship('adatum', customer, { kind: 'partner', partnerId: 'adatum' });
    // Assess
    const fabrikam = await partnerNotices('fabrikam', customer);
    expect(fabrikam.map((email) => email.subject)).toEqual([`${customer} accepted your request for admin access`, `${customer} ended your admin access`]);
    const ended = fabrikam[1]!;
    expect(ended.body.text).toContain(`An admin of ${customer} ended your delegated admin access to that organisation.`);
    expect(ended.body.text).toContain(`Roles it held:\n  - Helpdesk administrator (HELPDESK_ADMIN)\n\nEnded: ${formatTime(byCustomer.terminatedAt!)}`);
    expectPartnerNotice(ended, 'Fabrikam');
    expect((await partnerNotices('adatum', customer)).map((email) => email.subject)).toEqual([`${customer} accepted your request for admin access`]);
  });

  it('still records a decline when the partner’s notice cannot be sent, and counts it', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['DIRECTORY_READER'] });
    const warnings = vi.spyOn(logger, 'warn');
    const ses = mockClient(SESClient);
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
    // Act
    const result = await decide(invitation.id, token, { decision: 'decline', reason: 'no' }).finally(() => ses.restore());
    // Assess
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(result.invitation.status).toBe('DECLINED');
    expect(warnings).toHaveBeenCalledWith('Partner notice failed', { notice: 'declined', partnerId: 'fabrikam', invitationId: invitation.id, error: 'ServiceUnavailable' });
    expect(await partnerNotices('fabrikam', customer)).toEqual([]);
  });
});

describe('two partners holding the same power role at one customer', () => {

  it('names the overlap in the second grant’s email, marks both rows, and records and publishes Relationship Overlap Detected', async () => {
    // Prepare
    const { customer, security } = await watchedCustomer();
    await grant('fabrikam', customer, ['USER_ADMIN', 'DIRECTORY_READER']);
    // Act
    const second = await grant('adatum', customer, ['USER_ADMIN', 'DIRECTORY_READER']);
    // Assess: the email
    const [first, overlapping] = await emailsTo(security);
    expect(first?.body.text).not.toContain('More than one partner');
    expect(overlapping?.subject).toBe(`Adatum was granted admin access to ${customer}`);
    expect(overlapping?.body.text).toContain('More than one partner now holds the same power role:\n  - User administrator (USER_ADMIN): Adatum (adatum), Fabrikam (fabrikam)');
    expect(overlapping?.body.text).not.toContain('Directory reader (DIRECTORY_READER):');
    expect(overlapping?.body.html).toContain('<li>User administrator (USER_ADMIN): Adatum (adatum), Fabrikam (fabrikam)</li>');
    // the customer's list, on one page and across pages, and the CSV
    const shared = [{ role: 'USER_ADMIN', partnerIds: ['adatum', 'fabrikam'] }];
    const page = await listCustomerRelationships(customer, { limit: 10 });
    expect(page.items.map((r) => [r.partnerId, r.overlaps])).toEqual([
      ['adatum', shared],
      ['fabrikam', shared],
    ]);
    const firstPage = await listCustomerRelationships(customer, { limit: 1 });
    expect(firstPage.items.map((r) => [r.partnerId, r.overlaps])).toEqual([['adatum', shared]]);
    const csv = toCsv(await allCustomerRelationships(customer, undefined)).split('\r\n');
    expect(csv[0]?.split(',').at(-1)).toBe('overlaps');
    expect(csv.slice(1, 3).map((row) => row.split(',').at(-1))).toEqual(['USER_ADMIN:adatum+fabrikam', 'USER_ADMIN:adatum+fabrikam']);
    // the audit record (the customer's trail, never a partner's) and its event
    const records = (await auditTrail({ customerDomain: customer })).filter((event) => event.type === 'RelationshipOverlapDetected');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      partnerId: 'adatum',
      relationshipId: second.id,
      actor: { kind: 'system' },
      details: { roles: ['USER_ADMIN'], partnerIds: ['adatum', 'fabrikam'], relationshipId: second.id },
    });
    for (const partnerId of ['adatum', 'fabrikam']) {
      expect((await auditTrail({ partnerId })).filter((event) => event.type === 'RelationshipOverlapDetected')).toEqual([]);
    }
    expect(await publishAuditRecords(await auditInserts(customer))).toEqual({ batchItemFailures: [] });
    const events = ((await (await fetch(standIn.eventsUrl)).json()) as ReceivedEvent[]).filter((e) => (e.detail as { customerDomain?: string }).customerDomain === customer);
    const published = events.filter((e) => e.detailType === 'Relationship Overlap Detected');
    expect(published.map((e) => e.detail)).toEqual([expect.objectContaining({ type: 'RelationshipOverlapDetected', relationshipId: second.id, partnerId: 'adatum' })]);
  });

  it('unmarks the rows once one of the two partners no longer holds the role', async () => {
    // Prepare
    const customer = uniqueDomain();
    await grant('fabrikam', customer, ['GLOBAL_ADMIN']);
    await grant('adatum', customer, ['GLOBAL_ADMIN']);
    // Act
    await endRelationship('fabrikam', customer, { kind: 'customer', customerDomain: customer });
    // Assess
    const page = await listCustomerRelationships(customer, { limit: 10 });
    expect(page.items.map((r) => [r.partnerId, r.status, r.overlaps])).toEqual([
      ['adatum', 'ACTIVE', []],
      ['fabrikam', 'TERMINATED', []],
    ]);
  });

  it('never counts read-only roles as an overlap', async () => {
    // Prepare
    const { customer, security } = await watchedCustomer();
    await grant('fabrikam', customer, ['DIRECTORY_READER', 'BILLING_READER', 'SECURITY_READER']);
    // Act
    await grant('adatum', customer, ['DIRECTORY_READER', 'BILLING_READER', 'SECURITY_READER']);
    // Assess
    const emails = await emailsTo(security);
    expect(emails).toHaveLength(2);
    for (const email of emails) expect(email.body.text).not.toContain('More than one partner');
    const page = await listCustomerRelationships(customer, { limit: 10 });
    expect(page.items.map((r) => r.overlaps)).toEqual([[], []]);
    expect((await auditTrail({ customerDomain: customer })).map((event) => event.type)).not.toContain('RelationshipOverlapDetected');
  });
});
