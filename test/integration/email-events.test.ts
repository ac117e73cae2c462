/** SES's events about an invitation's email, recorded on it: each transition, once, and only for the current link. */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/record-email-events.js';
import { invoke } from '../../infra/local/invoke.js';
import { sesEventNotification } from '../../infra/local/mailbox-simulator.js';
import { findInvitation } from '../../shared/invitations/repository.js';
import { recordEmailEvent } from '../../shared/invitations/email-events.js';
import type { EmailEventType } from '../../shared/invitations/email-events.js';
import { getInvitation, resendInvitation } from '../../shared/invitations/service.js';
import { putPartner } from '../../shared/partners/repository.js';
import { countSdkCalls, uniqueDomain, useTestTable } from '../support/environment.js';
import { auditTrail, invite } from '../support/lifecycle.js';
import { emailsSettled, emailsTo } from '../support/mail.js';

const partnerId = `bouncy-${Date.now().toString(36)}`;
const contact = `ops@${partnerId}.example`;
const AT = new Date('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  await useTestTable();
  await putPartner({ id: partnerId, name: 'Bouncy', domain: `${partnerId}.example`, contactEmail: contact });
});

/** A fresh invitation, its email SENT, and the address it went to. */
async function sent(extra: Record<string, unknown> = {}) {
  const customer = uniqueDomain();
  const { invitation } = await invite(partnerId, customer, extra);
  const stored = await findInvitation(invitation.id, true);
  if (stored?.email.status !== 'SENT' || stored.email.messageId === undefined) throw new Error('not sent');
  return { id: invitation.id, customer, messageId: stored.email.messageId, to: stored.adminEmail };
}

/** SES's event about `messageId`, as the SNS subscription hands it to the function. */
async function deliverEvent(type: EmailEventType, messageId: string, to: string, options: { bounceType?: string; at?: Date } = {}) {
  await invoke(handler, sesEventNotification(type, messageId, to, options.at ?? AT, options), 'record-email-events');
}

const emailOf = async (id: string) => (await getInvitation(partnerId, id)).email;
const bounceRecords = async (invitationId: string) => (await auditTrail({ partnerId })).filter((e) => e.type === 'InvitationEmailBounced' && e.invitationId === invitationId);
const noticesAbout = async (customer: string) => (await emailsTo(contact)).filter((email) => email.subject.includes(customer));

describe("SES's events on the invitation's email", () => {
  it('moves SENT to DELIVERED at the time SES delivered it, and tells nobody', async () => {
    const { id, customer, messageId, to } = await sent();

    await deliverEvent('Delivery', messageId, to);

    expect(await emailOf(id)).toEqual({ attempts: 1, status: 'DELIVERED', at: AT.toISOString() });
    expect(await bounceRecords(id)).toEqual([]);
    expect(await noticesAbout(customer)).toEqual([]);
  });

  it('moves it to BOUNCED with the bounce type, audits it in the same write and emails the partner', async () => {
    const { id, customer, messageId, to } = await sent();

    await deliverEvent('Bounce', messageId, to, { bounceType: 'Transient' });

    expect(await emailOf(id)).toEqual({ attempts: 1, status: 'BOUNCED', at: AT.toISOString(), bounceType: 'Transient' });
    expect(await bounceRecords(id)).toEqual([
      expect.objectContaining({ actor: { kind: 'system' }, customerDomain: customer, details: { status: 'BOUNCED', bounceType: 'Transient' } }),
    ]);
    const [notice, ...more] = await noticesAbout(customer);
    expect(more).toEqual([]);
    expect(notice?.subject).toBe(`Your request email to ${customer} could not be delivered`);
    expect(notice?.body.text).toContain(`could not be delivered to ${to} for now`);
  });

  it('moves a delivered email to COMPLAINED when its recipient reports it, audited, and the partner told', async () => {
    const { id, customer, messageId, to } = await sent();
    await deliverEvent('Delivery', messageId, to);

    await deliverEvent('Complaint', messageId, to, { at: new Date(AT.getTime() + 60_000) });

    expect(await emailOf(id)).toEqual({ attempts: 1, status: 'COMPLAINED', at: new Date(AT.getTime() + 60_000).toISOString() });
    expect((await bounceRecords(id)).map((e) => e.details)).toEqual([{ status: 'COMPLAINED' }]);
    expect((await noticesAbout(customer)).map((email) => email.body.text)).toEqual([expect.stringContaining('reported your request')]);
  });

  it('moves it to FAILED when SES rejects it', async () => {
    const { id, messageId, to } = await sent();

    await deliverEvent('Reject', messageId, to);

    expect((await emailOf(id)).status).toBe('FAILED');
    expect(await bounceRecords(id)).toEqual([]);
  });

  it('records a redelivered event once: one audit record, one notice; and a final state never moves back', async () => {
    const { id, customer, messageId, to } = await sent();
    await deliverEvent('Bounce', messageId, to);

    await deliverEvent('Bounce', messageId, to);
    const again = await recordEmailEvent(sesEventNotification('Bounce', messageId, to, AT).Records[0]!.Sns.Message);
    await deliverEvent('Delivery', messageId, to, { at: new Date(AT.getTime() + 1000) });

    expect(again).toBe('UNCHANGED');
    expect(await emailOf(id)).toEqual({ attempts: 1, status: 'BOUNCED', at: AT.toISOString(), bounceType: 'Permanent' });
    expect(await bounceRecords(id)).toHaveLength(1);
    expect(await noticesAbout(customer)).toHaveLength(1);
  });

  it('ignores a late event about the email of a link a resend replaced', async () => {
    const { id, customer, messageId: first, to } = await sent();
    await resendInvitation(partnerId, id);
    await emailsSettled();
    const before = await findInvitation(id, true);

    await deliverEvent('Bounce', first, to);

    expect(before?.email.messageId).not.toBe(first);
    expect((await findInvitation(id, true))?.email).toEqual(before?.email);
    expect(await bounceRecords(id)).toEqual([]);
    expect(await noticesAbout(customer)).toEqual([]);
  });

  it("changes nothing for an email that is not an invitation's, or a message it cannot read", async () => {
    expect(await recordEmailEvent(sesEventNotification('Bounce', 'not-an-invitation', 'x@example.com', AT).Records[0]!.Sns.Message)).toBe('UNKNOWN_MESSAGE');
    expect(await recordEmailEvent('{"eventType":"Open","mail":{"messageId":"m"}}')).toBe('IGNORED');
    expect(await recordEmailEvent('not json')).toBe('IGNORED');
  });

  it("passes over a notice's events by the kind tag SES carries back, without reading the table", async () => {
    // Prepare
    const counter = await countSdkCalls();
    // Act
    const outcome = await recordEmailEvent(sesEventNotification('Delivery', 'a-notice', 'security@example.com', AT, { kind: 'notice' }).Records[0]!.Sns.Message);
    counter.stop();
    // Assess
    expect(outcome).toBe('UNKNOWN_MESSAGE');
    expect(counter.calls).toEqual([]);
  });
});
