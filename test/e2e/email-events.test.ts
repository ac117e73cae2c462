/** The local stack plays SES's mailbox simulator: `bounce…` bounces, `complaint…` complains, anything else is delivered. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedOutcome } from '../../infra/local/mailbox-simulator.js';
import { uniqueDomain } from '../support/environment.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { emailsSettled, emailsTo } from '../support/mail.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t.stop();
});

/** Invites `adminEmail` as Fabrikam, lets the simulated SES answer, and reads the invitation back. */
async function inviteAndSettle(customer: string, adminEmail: string) {
  const token = await t.partnerToken('fabrikam');
  const created = await t.api('POST', '/invitations', { token, body: { customerDomain: customer, adminEmail } });
  expect(created.status).toBe(201);
  await emailsSettled();
  await t.stack.emailEventsSettled();
  const read = await t.api('GET', `/invitations/${created.json?.id as string}`, { token });
  return { id: created.json?.id as string, email: read.json?.email as Record<string, unknown>, token };
}

describe("the local stack's mailbox simulator", () => {
  it('answers as SES would by the local part alone', () => {
    expect(['bounce@x.test', 'Bounce+1@x.test', 'complaint@x.test', 'complaint-7@x.test', 'admin@bounce.test'].map(simulatedOutcome)).toEqual([
      'Bounce',
      'Bounce',
      'Complaint',
      'Complaint',
      'Delivery',
    ]);
  });

  it('ends an invitation to bounce@… BOUNCED (Permanent), with the audit record and the partner emailed', async () => {
    const customer = uniqueDomain('bounces');

    const { id, email, token } = await inviteAndSettle(customer, `bounce@${customer}`);

    expect(email).toEqual({ status: 'BOUNCED', at: expect.any(String), attempts: 1, bounceType: 'Permanent' });
    const audit = await t.api('GET', '/audit', { token });
    expect((audit.json?.items as { type: string; invitationId?: string }[]).filter((e) => e.invitationId === id).map((e) => e.type)).toContain('InvitationEmailBounced');
    const notices = (await emailsTo('ops@fabrikam.com')).filter((notice) => notice.subject.includes(customer));
    expect(notices.map((notice) => notice.subject)).toEqual([`Your request email to ${customer} could not be delivered`]);
  });

  it('ends an invitation to complaint@… COMPLAINED, and any other address DELIVERED', async () => {
    const complaining = uniqueDomain('complains');
    const delivered = uniqueDomain('delivers');

    const complained = await inviteAndSettle(complaining, `complaint@${complaining}`);
    const fine = await inviteAndSettle(delivered, `admin@${delivered}`);

    expect(complained.email).toMatchObject({ status: 'COMPLAINED' });
    expect(fine.email).toEqual({ status: 'DELIVERED', at: expect.any(String), attempts: 1 });
  });
});
