/**
 * `npm run bench:link-timing`: how long the acceptance link takes to answer an unknown
 * invitation versus a real one with a wrong secret (both must be 404 in comparable time), over
 * HTTP through the local gateway on a fresh in-memory stack. Prints the numbers; asserts nothing.
 */
import '../infra/local/quiet.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort } from '../infra/local/processes.js';
import { signToken } from '../infra/local/jwt.js';
import { startLocalStack } from '../infra/local/stack.js';

const ROUNDS = Number(process.env.ROUNDS ?? 300);

const dataDir = await mkdtemp(join(tmpdir(), 'bench-link-timing-'));
const port = await freePort();
const stack = await startLocalStack(
  {
    port,
    sesPort: await freePort(),
    dynamodbPort: await freePort(),
    eventsPort: await freePort(),
    dataDir,
    publicBaseUrl: `http://localhost:${port}`,
    dynamodbEndpoint: undefined,
    sesEndpoint: undefined,
    tableName: 'bench',
    senderEmail: 'no-reply@bench.localhost',
    cleanupIntervalSeconds: 0,
  },
  { persist: false, cleanupTimer: false, events: false },
);

try {
  const token = await signToken(stack.keys, { kind: 'partner', partnerId: 'fabrikam' });
  const created = await fetch(`${stack.apiUrl}/invitations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ customerDomain: 'bench-customer.com', adminEmail: 'admin@bench-customer.com' }),
  });
  const { id } = (await created.json()) as { id: string };
  const wrongSecret = 'A'.repeat(43);
  const unknown = randomUUID();
  const answer = (invitationId: string) => () =>
    fetch(`${stack.apiUrl}/accept/${invitationId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `token=${wrongSecret}&decision=decline`,
    });
  // A wrong secret changes nothing stored, so every round meets the invitation as it was created.
  const cases: Record<string, () => Promise<Response>> = {
    'GET, wrong secret': () => fetch(`${stack.apiUrl}/accept/${id}?token=${wrongSecret}`),
    'GET, unknown id': () => fetch(`${stack.apiUrl}/accept/${unknown}?token=${wrongSecret}`),
    'POST, wrong secret': answer(id),
    'POST, unknown id': answer(unknown),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate so drift (JIT, GC, the emulator warming up) hits all alike.
    for (const [name, send] of round % 2 === 0 ? Object.entries(cases) : Object.entries(cases).reverse()) {
      const started = performance.now();
      const response = await send();
      await response.arrayBuffer();
      if (response.status !== 404) throw new Error(`${name}: expected 404, got ${response.status}`);
      times[name]!.push(performance.now() - started);
    }
  }
  const stat = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!.toFixed(2);
  console.log(`/accept/{id} over HTTP, ${ROUNDS} requests each, every one answered 404 (ms):`);
  console.log('case                 p50     p90     p99');
  for (const [name, values] of Object.entries(times)) {
    console.log(`${name.padEnd(20)} ${stat(values, 0.5).padStart(6)}  ${stat(values, 0.9).padStart(6)}  ${stat(values, 0.99).padStart(6)}`);
  }
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
