/**
 * The story end to end with every log line captured (the gateway's access log, the structured
 * logs, anything written to stdout or stderr), then searched for every secret the story used.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCleanup } from '../../shared/cleanup/service.js';
import { DAY_MS } from '../../shared/clock.js';
import { uniqueDomain } from '../support/environment.js';
import { emailsSettled, emailsTo, linkIn, newestLinkFor } from '../support/mail.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

// Every level, from before the modules load: the Lambda context middleware puts the logger back
// to its starting level at each invocation, so a later `setLogLevel` would not hold.
vi.hoisted(() => vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG'));

let t: TestStack;
const captured: string[] = [];

beforeAll(async () => {
  // The gateway's access log goes to stdout, as `npm start` prints it.
  t = await startTestStack({ log: (line) => process.stdout.write(`${line}\n`) });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await t.stop();
});

describe('what the logs hold after the whole story', () => {
  it('holds none of the tokens, link secrets or email addresses the story used', async () => {
    // Prepare: a story that touches every path that logs
    const secrets = new Set<string>();
    const tokens = { fabrikam: await t.partnerToken('fabrikam'), adatum: await t.partnerToken('adatum') };
    Object.values(tokens).forEach((token) => secrets.add(token));
    const customers = [uniqueDomain(), uniqueDomain(), uniqueDomain()];
    /** Fabrikam's invitation to each customer (the sender mails the six in any order). */
    const fabrikams = new Map<string, string>();
    for (const customer of customers) {
      secrets.add(`admin@${customer}`);
      for (const partner of ['fabrikam', 'adatum'] as const) {
        const created = await t.api('POST', '/invitations', {
          token: tokens[partner],
          body: { customerDomain: customer, adminEmail: `admin@${customer}`, message: `Call admin@${customer}` },
          headers: { 'Idempotency-Key': `${partner}-${customer}` },
        });
        expect(created.status).toBe(201);
        if (partner === 'fabrikam') fabrikams.set(customer, String(created.json?.id));
      }
    }
    const [accepted, declined, resent] = customers as [string, string, string];
    const link = (customer: string) => newestLinkFor(`admin@${customer}`, fabrikams.get(customer) ?? '');

    const a = await link(accepted);
    await fetch(a.url);
    await fetch(a.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${a.token}&decision=accept` });
    const d = await link(declined);
    await fetch(d.url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${d.token}&decision=decline&reason=ask+admin%40${declined}` });
    const r = await link(resent);
    const resend = await t.api('POST', `/invitations/${r.invitationId}/resend`, { token: tokens.fabrikam });
    await emailsSettled(); // the resend's email is out: the first link is now a replaced one
    await fetch(r.url); // the replaced link
    await fetch(`${r.url.origin}/accept/${r.invitationId}?token=${r.token}x`); // a tampered one
    await t.api('GET', '/invitations', { token: `${tokens.adatum}x` }); // a forged token
    await t.api('GET', '/audit', { token: tokens.fabrikam });
    t.clock.advance(91 * DAY_MS);
    await runCleanup();
    for (const customer of customers) for (const email of await emailsTo(`admin@${customer}`)) secrets.add(linkIn(email).token);

    // Act
    const logs = captured.join('');

    // Assess
    expect(resend.status).toBe(202);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('Invitation created');
    expect(logs).toMatch(/GET \/accept\/[\w-]+ 200/);
    const found = [...secrets].filter((secret) => logs.includes(secret));
    console.info(`log secrets: ${secrets.size} looked for, ${found.length} found, in ${captured.length} log writes`);
    expect(found).toEqual([]);
    expect(secrets.size).toBeGreaterThanOrEqual(12);
  });
});
