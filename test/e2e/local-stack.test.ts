/** `npm start` as a person runs it: it serves, it explains what is wrong in one line, and it leaves nothing behind. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, symlink, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/processes.js';

const START = ['--import', 'tsx', 'infra/local/start.ts'];
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'partner-relationships-start-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, START, { env: { ...process.env, LOCAL_DATA_DIR: dataDir, CLEANUP_INTERVAL_SECONDS: '0', ...env } });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function ports() {
  return {
    PORT: String(await freePort()),
    SES_PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    EVENTS_PORT: String(await freePort()),
    IDP_PORT: String(await freePort()),
  };
}

/** Process ids of DynamoDB Local instances listening on `port`. */
function dynamoDbLocalOn(port: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((line) => line.includes('DynamoDBLocal.jar') && line.includes(`-port ${port}`));
}

describe('npm start', () => {
  it('serves the API, the mail viewer and DynamoDB Local, and SIGTERM leaves no Java process behind', async () => {
    // Prepare
    const env = await ports();
    const child = start(env);
    const done = exited(child);
    let printed = '';
    child.stdout.on('data', (c: Buffer) => (printed += c.toString()));
    // Act
    let health = 0;
    for (let i = 0; i < 200 && health !== 200; i++) {
      health = await fetch(`http://127.0.0.1:${env.PORT}/health`).then((r) => r.status, () => 0);
      if (health !== 200) await new Promise((r) => setTimeout(r, 150));
    }
    const viewer = await fetch(`http://127.0.0.1:${env.SES_PORT}/`).then((r) => r.status);
    const discovery = await fetch(`http://localhost:${env.IDP_PORT}/.well-known/openid-configuration`).then((r) => r.json() as Promise<{ issuer: string }>);
    expect(dynamoDbLocalOn(env.DYNAMODB_PORT)).toHaveLength(1);
    // The gateway answers before the banner is printed: stop only once it is out.
    for (let i = 0; i < 100 && !printed.includes('Ctrl-C stops everything.'); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const { code, stdout } = await done;
    // Assess
    expect(health).toBe(200);
    expect(viewer).toBe(200);
    expect(stdout).toContain(`http://localhost:${env.PORT}`);
    expect(stdout).toContain(`Sign-in          http://localhost:${env.IDP_PORT}`);
    expect(stdout).toMatch(/Cleanup +off \(or: /);
    expect(discovery.issuer).toBe(`http://localhost:${env.IDP_PORT}`);
    expect(stdout).toMatch(/admin@contoso\.com, password [\w-]{16,}/);
    // The hints talk to this stack, whose data directory is not the default one.
    expect(stdout).toContain(`LOCAL_DATA_DIR=${dataDir} npm run -s token -- partner fabrikam`);
    expect(stdout).toContain(`LOCAL_DATA_DIR=${dataDir} npm run cleanup`);
    expect(code).toBe(0);
    expect(dynamoDbLocalOn(env.DYNAMODB_PORT)).toEqual([]);
  }, 90_000);

  it('creates or resets a local customer admin with npm run -s user, printing only its password', async () => {
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/user.ts', 'add', 'customer', 'Helpdesk@Northwind.example'], {
        env: { ...process.env, LOCAL_DATA_DIR: dataDir },
        encoding: 'utf8',
      });
    const first = run();
    const second = run();
    const wrong = spawnSync(process.execPath, ['--import', 'tsx', 'infra/local/user.ts', 'add', 'customer', 'not-an-address'], { env: { ...process.env, LOCAL_DATA_DIR: dataDir }, encoding: 'utf8' });
    const { findAccount, passwordMatches } = await import('../../infra/local/accounts.js');
    const account = await findAccount(dataDir, 'helpdesk@northwind.example');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^[\w-]{16,}\n$/);
    expect(second.stdout.trim()).not.toBe(first.stdout.trim());
    expect(account).toMatchObject({ email: 'helpdesk@northwind.example', customerDomain: 'northwind.example' });
    expect(await passwordMatches(account!, second.stdout.trim())).toBe(true);
    expect(await passwordMatches(account!, first.stdout.trim())).toBe(false);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe('');
  }, 30_000);

  it('stops cleanly when SIGTERM arrives while it is still starting', async () => {
    const env = await ports();
    const child = start(env);
    const done = exited(child);
    for (let i = 0; i < 300 && dynamoDbLocalOn(env.DYNAMODB_PORT).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(dynamoDbLocalOn(env.DYNAMODB_PORT)).toHaveLength(1);
    child.kill('SIGTERM');
    const { code } = await done;
    expect(code).toBe(0);
    expect(dynamoDbLocalOn(env.DYNAMODB_PORT)).toEqual([]);
  }, 90_000);

  it('says in one line which port is taken and how to pick another', async () => {
    const env = await ports();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.PORT), resolve));
    try {
      const { code, stderr } = await exited(start(env));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`error: Port ${env.PORT} (PORT) is already in use: stop what is using it, or pick another, e.g. PORT=${Number(env.PORT) + 1} npm start`]);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('names every taken port in one line, before starting anything', async () => {
    const env = await ports();
    const blockers = [createServer(), createServer()];
    await new Promise<void>((resolve) => blockers[0]!.listen(Number(env.PORT), resolve));
    await new Promise<void>((resolve) => blockers[1]!.listen(Number(env.SES_PORT), resolve));
    try {
      const { code, stderr } = await exited(start(env));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        `error: Ports ${env.PORT} (PORT) and ${env.SES_PORT} (SES_PORT) are already in use: stop what is using them, or pick others, e.g. PORT=${Number(env.PORT) + 1} SES_PORT=${Number(env.SES_PORT) + 1} npm start`,
      ]);
      expect(dynamoDbLocalOn(env.DYNAMODB_PORT)).toEqual([]);
    } finally {
      for (const blocker of blockers) blocker.close();
    }
  }, 30_000);

  it('says in one line that Java is missing and what to do', async () => {
    const bin = join(dataDir, 'bin-without-java');
    await mkdir(bin, { recursive: true });
    await symlink(process.execPath, join(bin, 'node')).catch(() => undefined);
    const { code, stderr } = await exited(start({ ...(await ports()), PATH: bin }));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: Java 17\+ is needed to run DynamoDB Local.*apt-get install -y openjdk-17-jre-headless.*DYNAMODB_ENDPOINT/);
  }, 30_000);
});
