/**
 * One partner's bad input must never touch another partner's email. A capturing SES endpoint
 * (the SES v1 query API, as the SDK speaks it) records every SendEmail request byte for byte.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findInvitation } from '../../shared/invitations/repository.js';
import { ses } from '../../shared/mail/mailer.js';
import { emailsSettled } from '../support/mail.js';
import { uniqueDomain } from '../support/environment.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { startSesEndpoint, type SesEndpoint } from '../support/ses-endpoint.js';

/** Every request body SES received, as form fields in order (a repeated name stays repeated). */
const received: [string, string][][] = [];
/** Recipients whose requests the endpoint drops mid-connection, as a failing network would. */
const dropFor = new Set<string>();
let endpoint: SesEndpoint;
let t: TestStack;

beforeAll(async () => {
  endpoint = await startSesEndpoint((fields) => {
    const pairs = [...fields];
    if (pairs.some(([name, value]) => name.startsWith('Destination.ToAddresses') && dropFor.has(value))) return 'swallow';
    received.push(pairs);
    return 'accept';
  });
  t = await startTestStack({ sesEndpoint: endpoint.url });
});

afterAll(async () => {
  await t.stop();
  await endpoint.close();
});

beforeEach(() => {
  received.length = 0;
  dropFor.clear();
});

/** The email status stored on an invitation. */
const emailStatus = async (id: string) => (await findInvitation(id, true))?.email.status;
/** What a sent email is, once SES took it: SENT, or already DELIVERED (the local stack plays SES's mailbox simulator). */
const WENT_OUT = /^(SENT|DELIVERED)$/;

const invite = async (partnerId: string, customer: string, body: unknown = { customerDomain: customer, adminEmail: `admin@${customer}` }) =>
  t.api('POST', '/invitations', { token: await t.partnerToken(partnerId), body });

/**
 * Once the sender is done: the victim's email is exactly one SendEmail, to the victim alone, with the victim's one link
 * and none of the other party's data; and every SendEmail (the attacker's retries included) names one recipient.
 */
async function expectOnlyTheVictimsEmail(victim: { customer: string; invitationId: string }, attacker: { customer: string; partnerName: string }) {
  await emailsSettled();
  for (const request of received) expect(request.filter(([name]) => name.startsWith('Destination.'))).toHaveLength(1);
  const victims = received.filter((request) => request.some(([name, value]) => name.startsWith('Destination.') && value === `admin@${victim.customer}`));
  expect(victims).toHaveLength(1);
  const fields = victims[0] ?? [];
  const names = fields.map(([name]) => name);
  expect(new Set(names).size, 'no parameter appears twice').toBe(names.length);
  expect(fields.filter(([name]) => name.startsWith('Destination.'))).toEqual([['Destination.ToAddresses.member.1', `admin@${victim.customer}`]]);
  const text = fields.find(([name]) => name === 'Message.Body.Text.Data')?.[1] ?? '';
  const links = text.match(/https?:\/\/\S+/g) ?? [];
  expect(links).toHaveLength(1);
  expect(new URL(links[0] ?? '').pathname).toBe(`/accept/${victim.invitationId}`);
  const everything = JSON.stringify(fields);
  expect(everything).not.toContain(attacker.customer);
  expect(everything).not.toContain(attacker.partnerName);
}

describe("one partner's bad character never reaches another partner's email", () => {
  it('refuses a message with a lone surrogate (400, path message), sends nothing, and the next invitation is emailed clean', async () => {
    // Prepare
    const attacker = uniqueDomain('attacker');
    const victim = uniqueDomain('victim');
    const raw = `{"customerDomain":"${attacker}","adminEmail":"admin@${attacker}","message":"hello \\udfff"}`;
    // Act
    const refused = await invite('adatum', attacker, raw);
    const created = await invite('fabrikam', victim);
    // Assess
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.json).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'message' }] });
    expect(created.status).toBe(201);
    await expectOnlyTheVictimsEmail({ customer: victim, invitationId: created.json?.id }, { customer: attacker, partnerName: 'Adatum' });
    expect(received).toHaveLength(1);
  });

  it('after a send that failed inside the SES client, the next invitation goes out on a fresh client, to its own recipient only', async () => {
    // Prepare: an ill-formed string reaches the serialiser once (as one did before input was checked), which throws half-way.
    const attacker = uniqueDomain('attacker');
    const victim = uniqueDomain('victim');
    let armed = true;
    const poison = (next: (args: { input: { Message?: { Body?: { Text?: { Data?: string } } } } }) => Promise<unknown>) => async (args: { input: { Message?: { Body?: { Text?: { Data?: string } } } } }) => {
      if (armed && args.input.Message?.Body?.Text !== undefined) {
        armed = false;
        args.input.Message.Body.Text.Data = `${args.input.Message.Body.Text.Data ?? ''} \udfff`;
      }
      return next(args);
    };
    ses('invitation').middlewareStack.add(poison as never, { step: 'initialize', name: 'poison-once' });
    // Act
    const failed = await invite('adatum', attacker);
    const created = await invite('fabrikam', victim);
    // Assess
    await expectOnlyTheVictimsEmail({ customer: victim, invitationId: created.json?.id }, { customer: attacker, partnerName: 'Adatum' });
    expect(armed).toBe(false);
    expect(failed.status).toBe(201);
    // The attempt that failed in the client is retried on a fresh client, with a new link: the attacker's email goes out clean too.
    expect(await emailStatus(failed.json?.id)).toMatch(WENT_OUT);
    expect(await emailStatus(created.json?.id)).toMatch(WENT_OUT);
  });

  it('after a send whose connection failed, the next invitation is emailed to its own recipient with its own link', async () => {
    const attacker = uniqueDomain('attacker');
    const victim = uniqueDomain('victim');
    dropFor.add(`admin@${attacker}`);
    const before = ses('invitation');
    const failed = await invite('adatum', attacker);
    const created = await invite('fabrikam', victim);
    await expectOnlyTheVictimsEmail({ customer: victim, invitationId: created.json?.id }, { customer: attacker, partnerName: 'Adatum' });
    // Every attempt to the attacker's address lost its connection: retried to the last attempt, then FAILED.
    expect(await emailStatus(failed.json?.id)).toBe('FAILED');
    expect(ses('invitation')).not.toBe(before);
    expect(await emailStatus(created.json?.id)).toMatch(WENT_OUT);
  });
});
