/**
 * `npm run bench -- --breakdown`: where the time and the bytes go, before anything is cut.
 * (a) One request of each operation, stage by stage: the gateway's stages (timed by its
 * `onStage` hook), time inside the SDK clients' `send` (their prototypes wrapped here, in this
 * process only), and a CPU profile of the same requests split by package. It runs the functions
 * from source (functions/*.ts through tsx), where the SDK can be hooked; the bundles run the
 * same code. (b) Cold starts: module init of each package alone, bundled like the functions;
 * what `--enable-source-maps` would cost each deployed bundle; and each bundle's bytes by package.
 */
import './env.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { localCredentials } from '../shared/data/client.js';
import { freePort } from '../infra/local/processes.js';
import { REPO_ROOT } from '../infra/constructs/app-function.js';
import type { GatewayStage } from '../infra/local/gateway.js';
import { assembly, deployedFunctions, localEnvironment, type LocalValues } from './assets.js';
import { bundleSource, bytesByPackage, EMPTY_SOURCE, initTimes, NAIVE_OPTIONS, NAIVE_SOURCE } from './cold.js';
import { requests, seedFixtures, startBenchStack, TABLE } from './fixtures.js';
import { progress, quietStdout } from './report.js';
import { LOCAL_CLIENT_ID } from '../infra/local/idp.js';

const QUICK = process.env.BENCH_QUICK === '1';
const R = QUICK ? 30 : 100;
const WARMUP = 10;
const K = QUICK ? 5 : 15;
const say = quietStdout();
const ms = (value: number) => value.toFixed(2).padStart(7);

/** Per request: the gateway's stages and the SDK's share of the handler. */
interface Sample {
  stages: Partial<Record<GatewayStage, number>>;
  sdkMs: number;
  sdkCalls: number;
}
let current: Sample | undefined;

/** Wraps `send` on each distinct client prototype; nested sends (the DocumentClient calls its base client) count once. */
function hookSdk(): void {
  let depth = 0;
  const prototypes = new Set<{ send: (...args: unknown[]) => Promise<unknown> }>();
  for (const Client of [DynamoDBClient, DynamoDBDocumentClient, SESClient]) {
    let proto = Client.prototype as object | null;
    while (proto !== null && !Object.prototype.hasOwnProperty.call(proto, 'send')) proto = Object.getPrototypeOf(proto) as object | null;
    if (proto !== null) prototypes.add(proto as { send: (...args: unknown[]) => Promise<unknown> });
  }
  for (const proto of prototypes) {
    const original = proto.send;
    proto.send = async function (this: unknown, ...args: unknown[]) {
      const outer = depth === 0;
      depth++;
      const started = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        depth--;
        if (outer && current !== undefined) {
          current.sdkMs += performance.now() - started;
          current.sdkCalls++;
        }
      }
    };
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** The SES stand-in's packages: it runs in this process, but it is not the product. */
const SES_STAND_IN = new Set(['aws-ses-v2-local', 'express', 'router', 'body-parser', 'raw-body', 'content-type', 'type-is', 'mime-types', 'qs', 'etag', 'parseurl', 'iconv-lite', 'debug', 'path-to-regexp', 'finalhandler', 'send', 'on-finished', 'depd', 'statuses', 'http-errors', 'fresh', 'accepts', 'negotiator', 'cookie', 'vary', 'encodeurl', 'escape-html', 'merge-descriptors', 'serve-static', 'ms', 'media-typer', 'proxy-addr', 'forwarded', 'range-parser', 'unpipe', 'bytes', 'side-channel', 'object-inspect', 'mailparser', 'nodemailer', 'ejs', 'cors']);

/** Which part of the system a profiled function belongs to. */
function category(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle (waiting for DynamoDB Local / SES)';
    if (functionName === '(program)') return 'V8 (compile, native)';
    return 'native (JSON, crypto, buffers)';
  }
  if (url.includes('/node_modules/')) {
    const name = /^((?:@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length))?.[1] ?? 'other';
    if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/') || name === 'fast-xml-parser' || name === 'tslib') return 'AWS SDK (CPU inside send)';
    if (name.startsWith('@middy/')) return 'middy (chain, header normaliser)';
    if (name === 'zod') return 'zod (validation)';
    if (name.startsWith('@aws-lambda-powertools/')) return 'Powertools (logger, metrics)';
    if (name === 'jose') return 'token check (jose, in the gateway)';
    if (SES_STAND_IN.has(name)) return 'SES stand-in (express, in this process)';
    return name;
  }
  if (url.includes('/infra/local/')) return 'gateway (infra/local)';
  if (url.includes('/shared/http/')) return 'our HTTP layer (parse, validate, serialise, problem)';
  if (url.includes('/shared/pages/')) return 'HTML pages (render)';
  if (url.includes('/shared/') || url.includes('/functions/')) return 'service logic (shared/*, functions/*)';
  if (url.includes('/bench/')) return 'the benchmark client';
  if (url.includes('undici')) return 'fetch client (undici)';
  if (url.startsWith('node:')) return 'node built-ins (http server, streams)';
  return 'other';
}

/** Self time by category (ms) of a CPU profile. */
function selfTimes(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (node === undefined) continue;
    const name = category(node.callFrame);
    totals.set(name, (totals.get(name) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  return totals;
}

async function perRequest(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-breakdown-'));
  const port = await freePort();
  const stack = await startBenchStack({
    port,
    publicBaseUrl: `http://localhost:${port}`,
    dataDir,
    gateway: {
      onStage: (stage, took) => {
        if (current !== undefined) current.stages[stage] = (current.stages[stage] ?? 0) + took;
      },
    },
  });
  const session = new Session();
  try {
    hookSdk();
    const bare = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'local', credentials: localCredentials }));
    const fixtures = await seedFixtures(stack, bare, R + WARMUP);
    bare.destroy();
    const send = requests(stack.apiUrl, fixtures);
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    say(`(a) One request, stage by stage: mean ms over ${R} requests each (source functions in this process; after ${WARMUP} warm-up requests).`);
    say('    total = as the client sees it; read/token/event/send = the gateway; handler = the function, of which SDK = inside client.send.');
    say(`    ${'operation'.padEnd(26)} ${'total'.padStart(7)} ${'read'.padStart(7)} ${'token'.padStart(7)} ${'event'.padStart(7)} ${'handler'.padStart(7)} ${'SDK'.padStart(7)} ${'h - SDK'.padStart(7)} ${'send'.padStart(7)} ${'client'.padStart(7)}  SDK calls`);
    const profiles: [string, Map<string, number>][] = [];
    for (const [name, run] of [
      ['POST /invitations', send.create],
      ['GET /accept/{id}?token=', send.show],
      ['POST /accept/{id} (accept)', send.accept],
      ['GET /relationships', send.list],
    ] as const) {
      for (let i = 0; i < WARMUP; i++) await run(R + i);
      const samples: (Sample & { total: number })[] = [];
      await session.post('Profiler.start');
      for (let i = 0; i < R; i++) {
        current = { stages: {}, sdkMs: 0, sdkCalls: 0 };
        const started = performance.now();
        await run(i);
        samples.push({ ...current, total: performance.now() - started });
        current = undefined;
      }
      const { profile } = await session.post('Profiler.stop');
      profiles.push([name, selfTimes(profile as unknown as { nodes: ProfileNode[] })]);
      const mean = (pick: (s: Sample & { total: number }) => number) => samples.reduce((sum, s) => sum + pick(s), 0) / samples.length;
      const stage = (key: GatewayStage) => mean((s) => s.stages[key] ?? 0);
      const gateway = stage('read') + stage('authorize') + stage('event') + stage('handler') + stage('send');
      say(
        `    ${name.padEnd(26)} ${ms(mean((s) => s.total))} ${ms(stage('read'))} ${ms(stage('authorize'))} ${ms(stage('event'))} ${ms(stage('handler'))} ${ms(mean((s) => s.sdkMs))} ${ms(stage('handler') - mean((s) => s.sdkMs))} ${ms(stage('send'))} ${ms(mean((s) => s.total) - gateway)}  ${mean((s) => s.sdkCalls).toFixed(1)}`,
      );
    }
    say('');
    say('    CPU self time by part (ms per request, sampled every 0.1 ms over the same requests; client, gateway and functions share this process):');
    for (const [name, totals] of profiles) {
      const parts = [...totals].filter(([part]) => !part.startsWith('idle')).sort((a, b) => b[1] - a[1]);
      say(`    ${name}: ${parts.map(([part, total]) => `${part} ${(total / R).toFixed(2)}`).join('; ')}`);
    }
  } finally {
    session.disconnect();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Each package alone, as a function would import it (the names the product uses), bundled like the functions. */
const PACKAGES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export const c = new DynamoDBClient({});",
  '@aws-sdk/lib-dynamodb (+ client-dynamodb)':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'; export const c = DynamoDBDocumentClient.from(new DynamoDBClient({})); export { GetCommand, PutCommand, QueryCommand, UpdateCommand, TransactWriteCommand };",
  '@aws-sdk/client-ses': "import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses'; export const c = new SESClient({}); export { SendEmailCommand };",
  '@aws-sdk/client-eventbridge': "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge'; export const c = new EventBridgeClient({}); export { PutEventsCommand };",
  '@aws-lambda-powertools/logger': "import { Logger } from '@aws-lambda-powertools/logger'; export const l = new Logger();",
  '@aws-lambda-powertools/metrics': "import { Metrics } from '@aws-lambda-powertools/metrics'; export const m = new Metrics({ namespace: 'x' });",
  '@aws-lambda-powertools/idempotency (+ dynamodb layer)':
    "import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware'; import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'; export const p = new DynamoDBPersistenceLayer({ tableName: 'x' }); export { makeHandlerIdempotent };",
  '@aws-lambda-powertools/tracer': "import { Tracer } from '@aws-lambda-powertools/tracer'; export const t = new Tracer();",
  zod: "import * as z from 'zod'; export const s = z.object({ a: z.string() });",
  '@middy/core + http-header-normalizer': "import middy from '@middy/core'; import n from '@middy/http-header-normalizer'; export const h = middy().use(n());",
  jose: "export { jwtVerify, createRemoteJWKSet } from 'jose';",
  'ours: shared/http/handler.ts (+ its packages)': "export * from './shared/http/handler.ts';",
  'ours: shared/http/openapi.ts (+ zod)': "export * from './shared/http/openapi.ts';",
  'ours: infra/routes.ts': "export * from './infra/routes.ts';",
};

/** The family a package belongs to, for the bytes matrix. */
function family(name: string): string {
  if (name.startsWith('ours:')) return 'ours';
  if (['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb', '@aws-sdk/dynamodb-codec', '@aws-sdk/endpoint-cache', 'mnemonist', 'obliterator'].includes(name)) return 'DynamoDB client';
  if (name === '@aws-sdk/client-ses') return 'SES';
  if (name === '@aws-sdk/client-eventbridge') return 'EventBridge';
  if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/') || ['tslib', 'fast-xml-parser', 'strnum', 'bowser', 'uuid'].includes(name)) return 'SDK core (smithy, signing, credentials)';
  if (name === 'zod') return 'zod';
  if (name === '@aws-lambda-powertools/idempotency' || name === '@aws-lambda-powertools/jmespath') return 'idempotency (+jmespath)';
  if (name.startsWith('@aws-lambda-powertools/')) return 'Powertools logger/metrics/commons';
  if (name.startsWith('@middy/')) return 'middy';
  return 'other';
}

async function coldStart(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-breakdown-cold-'));
  const { dir, fresh } = assembly((line) => process.stderr.write(`${line}\n`));
  try {
    const deployed = deployedFunctions(dir);
    const local: LocalValues = { tableName: TABLE, idempotencyTableName: `${TABLE}-idempotency`, publicBaseUrl: 'http://localhost:1', oidcIssuer: 'http://localhost:1', oidcClientId: LOCAL_CLIENT_ID, dynamodbEndpoint: 'http://127.0.0.1:1', sesEndpoint: 'http://127.0.0.1:1' };
    const env = localEnvironment(deployed.get('create-invitation')!, local);
    const built: { key: string; file: string; code: number; map: number }[] = [];
    for (const [key, source] of [['empty module (floor)', EMPTY_SOURCE], ['naive (middy + DynamoDB + SES)', NAIVE_SOURCE], ...Object.entries(PACKAGES)] as const) {
      const options = source === NAIVE_SOURCE ? NAIVE_OPTIONS : undefined;
      built.push({ key, ...(await bundleSource(join(scratch, String(built.length)), source, options)) });
    }
    const fns = [...deployed.values()];
    const candidates = [
      ...built.map((b) => ({ key: b.key, file: b.file, env })),
      ...fns.flatMap((fn) => [
        { key: `${fn.name} maps`, file: fn.file, env: { ...localEnvironment(fn, local), NODE_OPTIONS: '--enable-source-maps' } },
        { key: `${fn.name} nomaps`, file: fn.file, env: localEnvironment(fn, local) },
      ]),
    ];
    const bar = progress('cold-start breakdown', candidates.length * K);
    const init = initTimes(candidates, K, bar.tick);
    bar.done();
    const floor = init.get('empty module (floor)')!;
    say('');
    say(`(b) Cold start: module init p50 of ${K} fresh processes (as deployed: no --enable-source-maps), each bundled like the functions.`);
    say(`    ${'module'.padEnd(52)} ${'code'.padStart(8)} ${'map'.padStart(8)} ${'init'.padStart(8)} ${'- floor'.padStart(8)}`);
    for (const b of built) {
      say(`    ${b.key.padEnd(52)} ${`${(b.code / 1024).toFixed(0)}K`.padStart(8)} ${`${(b.map / 1024).toFixed(0)}K`.padStart(8)} ${`${init.get(b.key)!.toFixed(1)}`.padStart(8)} ${`${(init.get(b.key)! - floor).toFixed(1)}`.padStart(8)}`);
    }
    say('');
    say('    What NODE_OPTIONS=--enable-source-maps would cost at init (p50 ms, the same bundle with and without it; deployed without):');
    for (const key of fns.map((fn) => fn.name)) {
      const withMaps = init.get(`${key} maps`)!;
      const without = init.get(`${key} nomaps`)!;
      say(`    ${key.padEnd(30)} with ${withMaps.toFixed(1).padStart(6)}  without ${without.toFixed(1).padStart(6)}  maps cost ${(withMaps - without).toFixed(1).padStart(6)}`);
    }
    say('');
    say('    Bytes of each deployed bundle by package family (KiB; esbuild metafile of the same entry and options, bytes in output):');
    const families = ['SDK core (smithy, signing, credentials)', 'DynamoDB client', 'SES', 'EventBridge', 'zod', 'idempotency (+jmespath)', 'Powertools logger/metrics/commons', 'middy', 'ours', 'other'];
    const short = ['SDK core', 'DynamoDB', 'SES', 'EvBridge', 'zod', 'idempot.', 'PT l/m/c', 'middy', 'ours', 'other'];
    say(`    ${'function'.padEnd(28)} ${'total'.padStart(6)} ${'deployed'.padStart(8)} ${short.map((f) => f.padStart(8)).join(' ')}`);
    const detail: string[] = [];
    for (const fn of fns) {
      const { total, packages } = await bytesByPackage(join(REPO_ROOT, 'functions', `${fn.name}.ts`));
      const sums = new Map<string, number>();
      for (const [name, bytes] of packages) sums.set(family(name), (sums.get(family(name)) ?? 0) + bytes);
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)}`.padStart(8);
      say(`    ${fn.name.padEnd(28)} ${kib(total).slice(2)} ${kib(fn.code)} ${families.map((f) => kib(sums.get(f) ?? 0)).join(' ')}`);
      if (fn.name === 'create-invitation') {
        detail.push(...[...packages].sort((a, b) => b[1] - a[1]).slice(0, 16).map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)}`));
      }
    }
    say(`    SDK core = ${families[0]}. Largest packages of create-invitation (KiB): ${detail.join(', ')}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    if (fresh) await rm(dir, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // The stack's DynamoDB Local is killed on exit; a signal alone would skip that.
  process.once(signal, () => process.exit(130));
}
await perRequest();
await coldStart();
