import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS, REPO_ROOT } from '../../infra/constructs/app-function.js';

/** cleanup-expired built as deployed (with its map beside it), invoked with no TABLE_NAME so shared/config.ts throws. */
const INVOKE = `
const { handler } = await import(process.argv[1]);
try { await handler({}, { functionName: 'cleanup-expired', awsRequestId: 'r' }); } catch (error) { process.stderr.write(error.stack); }
`;

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stack-traces-'));
  await build({ ...ESBUILD_OPTIONS, entryPoints: [join(REPO_ROOT, 'functions', 'cleanup-expired.ts')], outfile: join(dir, 'index.mjs') });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stack Lambda would log: a fresh Node started as the stack starts the functions (NODE_OPTIONS as given). */
function stackOfFailedInvocation(nodeOptions: string): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', INVOKE, join(dir, 'index.mjs')], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions, AWS_REGION: 'local' },
    encoding: 'utf8',
  });
  return result.stderr;
}

describe('stack traces of a deployed bundle, without --enable-source-maps', () => {
  it('name the source file and line a failed invocation threw from, read from the map beside the bundle', () => {
    // Act
    const stack = stackOfFailedInvocation('');

    // Assess
    expect(stack).toContain('Missing required environment variable TABLE_NAME');
    expect(stack).toMatch(/shared\/config\.ts:6:\d+/);
    expect(stack).not.toMatch(/index\.mjs:\d+:\d+/);
  });

  it('are the same as Node gives with --enable-source-maps', () => {
    // Act
    const ours = stackOfFailedInvocation('');
    const node = stackOfFailedInvocation('--enable-source-maps');

    // Assess
    const locations = (stack: string) => [...stack.matchAll(/(shared\/[\w/-]+\.ts):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(locations(ours).length).toBeGreaterThan(0);
    expect(locations(ours)).toEqual(locations(node));
  });
});
