/** The benchmark's stack and fixtures, shared by `npm run bench` and its `--breakdown`. */
import { Agent, request as httpRequest } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { putPartner } from '../shared/partners/repository.js';
import { freePort } from '../infra/local/processes.js';
import { signToken } from '../infra/local/jwt.js';
import type { GatewayOptions } from '../infra/local/gateway.js';
import { startLocalStack, type LocalStack } from '../infra/local/stack.js';
import { progress } from './report.js';
import { batchPut, daysFrom, invitationItem, relationshipItem } from './seed.js';

/** The benchmark's table (in DynamoDB Local's memory). */
export const TABLE = 'bench';

/** DynamoDB Local in memory, the SES stand-in and the gateway on free ports; no events, no cleanup timer. */
export async function startBenchStack(options: { port: number; publicBaseUrl: string; dataDir: string; gateway: Pick<GatewayOptions, 'loadHandler' | 'onStage'> }): Promise<LocalStack> {
  return startLocalStack(
    {
      port: options.port,
      sesPort: await freePort(),
      dynamodbPort: await freePort(),
      eventsPort: await freePort(),
      dataDir: options.dataDir,
      publicBaseUrl: options.publicBaseUrl,
      dynamodbEndpoint: undefined,
      sesEndpoint: undefined,
      tableName: TABLE,
      senderEmail: 'no-reply@bench.localhost',
      cleanupIntervalSeconds: 0,
    },
    // The email sender runs apart from the API in AWS: here it would share the measured process, so it is left out.
    { persist: false, cleanupTimer: false, events: false, emailSender: false, gateway: options.gateway },
  );
}

export interface Fixtures {
  readonly creators: { partnerId: string; token: string }[];
  readonly listerToken: string;
  readonly listerId: string;
  readonly show: { id: string; secret: string; customerDomain: string };
  readonly accept: { id: string; secret: string }[];
  readonly baseAccept: ReturnType<typeof invitationItem>[];
}

/** Partners to create `count` invitations with (100 a day each), 30 relationships to list, and `count` invitations to look at and accept (and as many for the baseline). */
export async function seedFixtures(stack: LocalStack, bare: DynamoDBDocumentClient, count: number): Promise<Fixtures> {
  const at = new Date();
  const creators = [];
  for (let i = 0; i < Math.ceil((count) / 90); i++) {
    const partnerId = `bench-p${i}`;
    await putPartner({ id: partnerId, name: `Bench ${i}`, domain: `bench-p${i}.example` });
    creators.push({ partnerId, token: await signToken(stack.keys, { kind: 'partner', partnerId }) });
  }
  const listerId = 'bench-lister';
  await putPartner({ id: listerId, name: 'Bench lister', domain: 'bench-lister.example' });
  const relationships = Array.from({ length: 30 }, (_, i) => relationshipItem(listerId, `list-${String(i).padStart(2, '0')}.example`, at, daysFrom(at, 365)));
  const show = invitationItem('bench-p0', 'show.example', at, daysFrom(at, 90));
  const accept = Array.from({ length: count }, (_, i) => invitationItem('bench-p0', `accept-${i}.example`, at, daysFrom(at, 90)));
  const baseAccept = Array.from({ length: count }, (_, i) => invitationItem('bench-base', `base-accept-${i}.example`, at, daysFrom(at, 90)));
  const items = [...relationships, show.item, ...[...accept, ...baseAccept].flatMap((x) => [x.item, x.guard])];
  const bar = progress('seeding fixtures', items.length);
  await batchPut(bare, TABLE, items, bar.tick);
  bar.done();
  return {
    creators,
    listerToken: await signToken(stack.keys, { kind: 'partner', partnerId: listerId }),
    listerId,
    show: { id: show.invitation.id, secret: show.secret, customerDomain: show.invitation.customerDomain },
    accept: accept.map((x) => ({ id: x.invitation.id, secret: x.secret })),
    baseAccept,
  };
}

/**
 * The measuring client: node:http over one keep-alive agent, as a load tool's client is, so that
 * the figures carry the gateway's and the function's cost rather than the client's. (fetch, on
 * undici, adds about half a millisecond of its own to every request on this machine.)
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }, expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode === expected) resolve(body);
        else reject(new Error(`${init.method ?? 'GET'} ${new URL(url).pathname}: expected ${expected}, got ${response.statusCode}: ${body.slice(0, 300)}`));
      });
    });
    request.on('error', reject);
    request.end(init.body);
  });
}

/** The four measured requests, over HTTP as a client sends them; `i` picks the invitation to create or accept. */
export function requests(api: string, f: Fixtures) {
  return {
    create: (i: number) => {
      const creator = f.creators[Math.floor(i / 90)]!;
      return call(
        `${api}/invitations`,
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${creator.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ customerDomain: `create-${i}.example`, adminEmail: `admin@create-${i}.example` }),
        },
        201,
      );
    },
    show: () => call(`${api}/accept/${f.show.id}?token=${f.show.secret}`, {}, 200),
    accept: (i: number) => {
      const x = f.accept[i]!;
      return call(`${api}/accept/${x.id}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${x.secret}&decision=accept` }, 200);
    },
    list: () => call(`${api}/relationships`, { headers: { Authorization: `Bearer ${f.listerToken}` } }, 200),
  };
}
