/**
 * `npm run bench`: the product's speed against its floor, measured side by side in one run on a
 * fresh in-memory stack that serves the synthesized assets exactly as deployed. Prints one table
 * and writes it to bench/results/latest.json. `BENCH_QUICK=1` runs a small version; `--breakdown`
 * prints where the time and the bytes go instead (bench/breakdown.ts). Reports; never gates.
 */
import './env.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { localCredentials } from '../shared/data/client.js';
import { domainClaimKey, invitationKey, invitationQuotaKey, partnerPartition, policyKey, RELATIONSHIP_SK_PREFIX } from '../shared/data/keys.js';
import { TTL_ATTRIBUTE } from '../shared/data/table.js';
import { domainAndParents } from '../shared/domain/domains.js';
import { putAudit } from '../shared/audit/repository.js';
import { checkNoActiveRelationship, replaceRelationship } from '../shared/relationships/repository.js';
import { deleteGuard } from '../shared/invitations/repository.js';
import { closedTtl } from '../shared/invitations/model.js';
import { freePort } from '../infra/local/processes.js';
import { LOCAL_CLIENT_ID } from '../infra/local/idp.js';
import { policyCheck } from '../shared/policy/conditions.js';
import { idempotencyTableName, type LocalStack } from '../infra/local/stack.js';
import type { FunctionName } from '../infra/routes.js';
import type { Handler } from '../infra/local/gateway.js';
import { assembly, deployedFunctions, importHandler, localEnvironment, type DeployedFunction, type LocalValues } from './assets.js';
import { bundleSource, EMPTY_SOURCE, initTimes, NAIVE_OPTIONS, NAIVE_SOURCE } from './cold.js';
import { formatTable, progress, quantile, quietStdout, writeResults, type Row } from './report.js';
import { batchPut, daysFrom, invitationItem, relationshipItem } from './seed.js';
import { countingProxy } from './proxy.js';
import { requests, seedFixtures, startBenchStack, TABLE, type Fixtures } from './fixtures.js';

const QUICK = process.env.BENCH_QUICK === '1';
const N = QUICK ? 30 : 200;
const WARMUP = QUICK ? 5 : 10;
const K = QUICK ? 5 : 15;
const THROUGHPUT_MS = QUICK ? 3_000 : 10_000;
const CONCURRENCY = 50;
const SCHEDULE_SIZES = QUICK ? [2_000, 10_000] : [10_000, 100_000];
const OVERDUE = QUICK ? 200 : 1_000;
const RESULTS = fileURLToPath(new URL('./results/latest.json', import.meta.url));

/** The bench's own lines go to the real stdout; the functions' log and EMF lines to /dev/null (still written, as Lambda writes them). */
const say = quietStdout();
const note = (line: string) => process.stderr.write(`${line}\n`);

if (process.argv.includes('--breakdown')) {
  await import('./breakdown.js');
} else {
  await main();
}

async function main(): Promise<void> {
  // Lambda runs the bundles without --enable-source-maps (see app-function.ts): so does this process
  // (tsx turned source maps on for its own sources; bundles imported from here on are left alone).
  process.setSourceMapsEnabled(false);
  const { dir: assemblyDir, fresh } = assembly(note);
  const deployed = deployedFunctions(assemblyDir);
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-'));
  const port = await freePort();
  const publicBaseUrl = `http://localhost:${port}`;
  const loaded = new Map<FunctionName, Promise<Handler>>();
  const loadHandler = (name: FunctionName) => {
    const fn = deployed.get(name);
    if (fn === undefined) throw new Error(`No deployed asset for ${name}`);
    let handler = loaded.get(name);
    if (handler === undefined) loaded.set(name, (handler = importHandler(fn)));
    return handler;
  };
  let stack: LocalStack | undefined;
  const stopStack = async () => {
    await stack?.stop().catch(() => undefined);
    stack = undefined;
    await rm(dataDir, { recursive: true, force: true });
  };
  // The assembly outlives the stack: the cold starts after it import its bundles.
  const stop = async () => {
    await stopStack();
    if (fresh) await rm(assemblyDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      note(`\n${signal}: stopping the stack`);
      void stop().finally(() => process.exit(130));
    });
  }
  const rows: Row[] = [];
  const details: Record<string, unknown> = { quick: QUICK, requests: N, coldRuns: K, throughputMs: THROUGHPUT_MS, concurrency: CONCURRENCY };
  try {
    note('starting DynamoDB Local (in memory), the SES stand-in and the gateway…');
    stack = await startBenchStack({ port, publicBaseUrl, dataDir, gateway: { loadHandler } });
    const local: LocalValues = {
      tableName: TABLE,
      idempotencyTableName: idempotencyTableName(TABLE),
      publicBaseUrl,
      oidcIssuer: stack.idpUrl,
      oidcClientId: LOCAL_CLIENT_ID,
      dynamodbEndpoint: stack.dynamodbEndpoint,
      sesEndpoint: stack.sesUrl,
    };
    // Every function's environment as the stack sets it (they differ only in which optional names they carry).
    for (const fn of deployed.values()) {
      const { NODE_OPTIONS: _flags, ...env } = localEnvironment(fn, local);
      Object.assign(process.env, env);
    }

    const bare = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'local', credentials: localCredentials }), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });

    const api = stack.apiUrl;
    const fixtures = await seedFixtures(stack, bare, N + WARMUP);
    rows.push(...(await latency(api, bare, fixtures)));
    rows.push(...(await throughput(api, bare, fixtures)));
    const schedule = await scheduleRun(stack, bare, deployed.get('cleanup-expired')!);
    rows.push(...schedule.rows);
    details.schedule = schedule.details;
    bare.destroy();
    await stopStack();
    const cold = await coldStarts(deployed, local);
    rows.push(...cold.rows);
    details.coldStart = cold.details;
  } finally {
    await stop();
  }
  say('');
  say(`npm run bench${QUICK ? ' (BENCH_QUICK=1)' : ''}: ${N} requests per operation, ${K} cold starts per bundle`);
  say(formatTable(rows));
  await writeResults(RESULTS, rows, details);
  say(`\nwritten to ${RESULTS}`);
}

/** The create transaction's items, built like insertInvitation builds them (one check per domain and parent, the policy check, then five). */
function createTransaction(i: number, at: Date): { items: TransactWriteCommandInput['TransactItems']; invitation: ReturnType<typeof invitationItem> } {
  const domain = `base-create-${i}.example`;
  const x = invitationItem('bench-base', domain, at, daysFrom(at, 90));
  const iso = at.toISOString();
  const items = [
    ...domainAndParents(domain).map((d) => ({ ConditionCheck: { TableName: TABLE, Key: domainClaimKey(d), ConditionExpression: 'attribute_not_exists(PK)' } })),
    policyCheck(domain, { partnerId: 'bench-base', approver: x.invitation.adminEmail, roles: x.invitation.roles, durationDays: x.invitation.durationDays }).item,
    checkNoActiveRelationship('bench-base', domain, iso).item,
    {
      Put: {
        TableName: TABLE,
        Item: x.guard,
        ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': iso },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    },
    { Put: { TableName: TABLE, Item: x.item, ConditionExpression: 'attribute_not_exists(PK)' } },
    putAudit({ type: 'InvitationCreated', at: iso, actor: { kind: 'partner', partnerId: 'bench-base' }, partnerId: 'bench-base', customerDomain: domain, invitationId: x.invitation.id, details: { roles: x.invitation.roles, durationDays: 365, autoExtend: false, expiresAt: x.invitation.expiresAt } }),
    {
      Update: {
        TableName: TABLE,
        Key: invitationQuotaKey('bench-base', Math.floor(at.getTime() / 86_400_000)),
        UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':limit': 1_000_000, ':ttl': Math.ceil(at.getTime() / 1000) + 172_800 },
      },
    },
  ] satisfies TransactWriteCommandInput['TransactItems'];
  return { items, invitation: x };
}

/** Each request alternates with its bare SDK calls (who goes first swaps every round); p50 and p99 of both. */
async function latency(api: string, bare: DynamoDBDocumentClient, f: Fixtures): Promise<Row[]> {
  const send = requests(api, f);
  const operations: { name: string; baselineName: string; op: (i: number) => Promise<unknown>; base: (i: number) => Promise<unknown> }[] = [
    {
      name: 'POST /invitations',
      // The request queues the email in its transaction; the sender mails it later, off the request path (and not in this process).
      baselineName: 'TransactWrite',
      op: send.create,
      base: async (i) => {
        const { items } = createTransaction(i, new Date());
        await bare.send(new TransactWriteCommand({ TransactItems: items }));
      },
    },
    {
      name: 'GET /accept/{id}?token=',
      // A read-only request: the page reads the customer's policy too (does it ask for sign-in always?).
      baselineName: 'GetItem + GetItem',
      op: send.show,
      base: async () => {
        await bare.send(new GetCommand({ TableName: TABLE, Key: invitationKey(f.show.id) }));
        await bare.send(new GetCommand({ TableName: TABLE, Key: policyKey(f.show.customerDomain) }));
      },
    },
    {
      name: 'POST /accept/{id} (accept)',
      baselineName: 'GetItem + GetItem + TransactWrite (5 items)',
      op: send.accept,
      base: async (i) => {
        const x = f.baseAccept[i]!;
        const { Item } = await bare.send(new GetCommand({ TableName: TABLE, Key: invitationKey(x.invitation.id), ConsistentRead: true }));
        await bare.send(new GetCommand({ TableName: TABLE, Key: policyKey(x.invitation.customerDomain) }));
        const at = new Date();
        const iso = at.toISOString();
        const relationship = {
          id: `rel-${x.invitation.id}`,
          partnerId: 'bench-base',
          partnerName: String(Item?.partnerName),
          customerDomain: x.invitation.customerDomain,
          customerName: x.invitation.customerName,
          roles: x.invitation.roles,
          requestedRoles: x.invitation.roles,
          status: 'ACTIVE' as const,
          startsAt: iso,
          endsAt: daysFrom(at, 365).toISOString(),
          autoExtend: false,
          invitationId: x.invitation.id,
          acceptedBy: { email: x.invitation.adminEmail, signedIn: false },
        };
        await bare.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: TABLE,
                  Key: invitationKey(x.invitation.id),
                  UpdateExpression: 'SET #status = :decided, decidedAt = :now, closedAt = :now, #ttl = :ttl, relationshipId = :rid REMOVE GSI2PK, GSI2SK',
                  ConditionExpression: '#status = :pending AND tokenHash = :hash AND expiresAt > :now AND durationDays = :days',
                  ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
                  ExpressionAttributeValues: { ':decided': 'ACCEPTED', ':pending': 'PENDING', ':hash': x.invitation.tokenHash, ':now': iso, ':ttl': closedTtl(at), ':rid': relationship.id, ':days': 365 },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              deleteGuard('bench-base', x.invitation.customerDomain, x.invitation.id).item,
              putAudit({ type: 'InvitationAccepted', at: iso, actor: { kind: 'customer', customerDomain: x.invitation.customerDomain, email: x.invitation.adminEmail }, partnerId: 'bench-base', customerDomain: x.invitation.customerDomain, invitationId: x.invitation.id }),
              ...replaceRelationship(relationship, undefined, iso).map((entry) => entry.item),
              policyCheck(x.invitation.customerDomain, { partnerId: 'bench-base', approver: x.invitation.adminEmail, roles: x.invitation.roles, durationDays: 365, signedIn: false }).item,
            ] satisfies TransactWriteCommandInput['TransactItems'],
          }),
        );
      },
    },
    {
      name: 'GET /relationships (25 items)',
      baselineName: 'the same Query',
      op: send.list,
      base: () =>
        bare.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
            ExpressionAttributeValues: { ':pk': partnerPartition(f.listerId), ':prefix': RELATIONSHIP_SK_PREFIX },
            Limit: 25,
          }),
        ),
    },
  ];
  const listed = JSON.parse(await send.list()) as { items: unknown[] };
  if (listed.items.length !== 25) throw new Error(`GET /relationships listed ${listed.items.length} items, not 25`);
  const rows: Row[] = [];
  const bar = progress('latency', operations.length * (N + WARMUP));
  let done = 0;
  for (const operation of operations) {
    const measured: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < N + WARMUP; i++) {
      const time = async (run: (i: number) => Promise<unknown>, into: number[]) => {
        const started = performance.now();
        await run(i);
        if (i >= WARMUP) into.push(performance.now() - started);
      };
      if (i % 2 === 0) {
        await time(operation.op, measured);
        await time(operation.base, baseline);
      } else {
        await time(operation.base, baseline);
        await time(operation.op, measured);
      }
      bar.tick(++done);
    }
    rows.push(
      { operation: `${operation.name} p50`, measured: quantile(measured, 0.5), baseline: quantile(baseline, 0.5), unit: 'ms', kind: 'max', target: 1.3, note: `vs ${operation.baselineName}` },
      { operation: `${operation.name} p99`, measured: quantile(measured, 0.99), baseline: quantile(baseline, 0.99), unit: 'ms', kind: 'max', target: 2 },
    );
  }
  bar.done();
  return rows;
}

/** Completed requests per second of `workers` concurrent loops for `ms`. */
async function loop(workers: number, ms: number, run: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + ms;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await run();
        count++;
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/**
 * 50 concurrent clients on the acceptance page vs 50 concurrent bare GetItem callers (the issue's
 * floor), and vs 50 callers making the page's own two reads (the invitation, then the customer's
 * policy), in alternating rounds.
 */
async function throughput(api: string, bare: DynamoDBDocumentClient, f: Fixtures): Promise<Row[]> {
  const page = requests(api, f).show;
  const get = () => bare.send(new GetCommand({ TableName: TABLE, Key: invitationKey(f.show.id) }));
  const both = async () => {
    await get();
    await bare.send(new GetCommand({ TableName: TABLE, Key: policyKey(f.show.customerDomain) }));
  };
  const bar = progress('throughput', 6);
  const measured = [];
  const baseline = [];
  const own = [];
  for (let half = 0; half < 2; half++) {
    measured.push(await loop(CONCURRENCY, THROUGHPUT_MS / 2, page));
    bar.tick(half * 3 + 1);
    baseline.push(await loop(CONCURRENCY, THROUGHPUT_MS / 2, get));
    bar.tick(half * 3 + 2);
    own.push(await loop(CONCURRENCY, THROUGHPUT_MS / 2, both));
    bar.tick(half * 3 + 3);
  }
  bar.done();
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const name = `GET /accept/{id} throughput, ${CONCURRENCY} clients`;
  return [
    { operation: name, measured: mean(measured), baseline: mean(baseline), unit: 'req/s', kind: 'min', target: 0.8, note: 'vs GetItem loop' },
    { operation: `${name}, vs its own reads`, measured: mean(measured), baseline: mean(own), unit: 'req/s', kind: 'min', target: 0.8, note: 'vs GetItem + GetItem loop' },
  ];
}

/**
 * The scheduled cleanup (the bundled handler, its DynamoDB traffic through a counting proxy) with
 * `OVERDUE` overdue invitations among a small and then a ten times larger number of live items.
 */
async function scheduleRun(stack: LocalStack, bare: DynamoDBDocumentClient, fn: DeployedFunction): Promise<{ rows: Row[]; details: unknown }> {
  const proxy = await countingProxy(stack.dynamodbEndpoint);
  const saved = process.env.DYNAMODB_ENDPOINT;
  let cleanup: Handler;
  try {
    // A copy of its own, whose client (created on its first call) talks through the proxy.
    process.env.DYNAMODB_ENDPOINT = proxy.endpoint;
    cleanup = await importHandler(fn, 'schedule');
    await cleanup(undefined as never, undefined as never);
  } finally {
    process.env.DYNAMODB_ENDPOINT = saved;
  }
  const at = new Date();
  // One run with a few overdue items first, so both measured runs find the transaction path warm.
  const warm = Array.from({ length: 40 }, (_, i) => invitationItem(`due-p${i % 20}`, `due-warm-${i}.example`, daysFrom(at, -91), new Date(at.getTime() - 60_000 - i * 1000)).item);
  await batchPut(bare, TABLE, warm, () => undefined);
  await cleanup(undefined as never, undefined as never);
  const runs: { live: number; overdue: number; itemsRead: number; queries: number; ms: number; expired: number }[] = [];
  let live = 0;
  for (const size of SCHEDULE_SIZES) {
    const items = [];
    for (let i = live; i < size; i++) {
      // Not due for a year or more: their expiry entries sit far in the future of the index.
      const due = daysFrom(at, 400 + (i % 400));
      items.push(i % 2 === 0 ? invitationItem(`live-p${i % 50}`, `live-${i}.example`, at, due).item : relationshipItem(`live-p${i % 50}`, `live-${i}.example`, at, due));
    }
    for (let i = 0; i < OVERDUE; i++) items.push(invitationItem(`due-p${i % 20}`, `due-${size}-${i}.example`, daysFrom(at, -91), new Date(at.getTime() - 60_000 - i * 1000)).item);
    const bar = progress(`seeding ${size.toLocaleString('en-US')} live + ${OVERDUE} overdue`, items.length);
    await batchPut(bare, TABLE, items, bar.tick);
    bar.done();
    live = size;
    proxy.reset();
    const started = performance.now();
    const report = (await cleanup(undefined as never, undefined as never)) as unknown as { expiredInvitations: string[] };
    const ms = performance.now() - started;
    runs.push({ live: size, overdue: OVERDUE, itemsRead: proxy.scanned, queries: proxy.queries, ms, expired: report.expiredInvitations.length });
  }
  await proxy.close();
  const [small, large] = runs as [(typeof runs)[0], (typeof runs)[0]];
  const k = (n: number) => `${n / 1000}k`;
  return {
    rows: [
      ...runs.map((run): Row => ({ operation: `schedule: items read, ${k(run.live)} live`, measured: run.itemsRead, baseline: run.overdue, unit: 'items', kind: 'max', target: 1.1, note: `vs overdue items; ${run.expired} expired, ${run.queries} queries` })),
      { operation: `schedule: time for ${OVERDUE} overdue, ${k(large.live)} vs ${k(small.live)} live`, measured: large.ms, baseline: small.ms, unit: 'ms', kind: 'max', target: 1.2 },
    ],
    details: runs,
  };
}

/** Code size and module init of every deployed function vs a naive bundle, with an empty module as the floor. */
async function coldStarts(deployed: Map<FunctionName, DeployedFunction>, local: LocalValues): Promise<{ rows: Row[]; details: unknown }> {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-cold-'));
  try {
    const naive = await bundleSource(join(scratch, 'naive'), NAIVE_SOURCE, NAIVE_OPTIONS);
    const empty = await bundleSource(join(scratch, 'empty'), EMPTY_SOURCE);
    const reference = localEnvironment(deployed.get('create-invitation')!, local);
    const candidates = [
      ...[...deployed.values()].map((fn) => ({ key: fn.name, file: fn.file, env: localEnvironment(fn, local) })),
      { key: 'naive', file: naive.file, env: reference },
      { key: 'empty', file: empty.file, env: reference },
    ];
    const bar = progress('cold starts', candidates.length * K);
    const init = initTimes(candidates, K, bar.tick);
    bar.done();
    const floor = init.get('empty')!;
    const naiveInit = init.get('naive')!;
    const rows: Row[] = [];
    for (const fn of deployed.values()) {
      rows.push({ operation: `bundle ${fn.name}`, measured: fn.code, baseline: naive.code, unit: 'KiB', kind: 'max', target: 0.4, note: `map ${(fn.map / 1024).toFixed(0)} KiB` });
    }
    for (const fn of deployed.values()) {
      const ms = init.get(fn.name)!;
      const share = (ms - floor) / (naiveInit - floor);
      rows.push({ operation: `init ${fn.name}`, measured: ms, baseline: naiveInit, unit: 'ms', kind: 'max', target: 0.5, note: `floor ${floor.toFixed(1)} ms; above it ${(share * 100).toFixed(0)}% of naive's` });
    }
    return {
      rows,
      details: {
        naive: { code: naive.code, map: naive.map, initMs: naiveInit },
        empty: { code: empty.code, initMs: floor },
        functions: Object.fromEntries([...deployed.values()].map((fn) => [fn.name, { code: fn.code, map: fn.map, initMs: init.get(fn.name) }])),
      },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
