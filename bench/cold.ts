/**
 * Cold starts: bundles built like the deployed ones (the same esbuild options as
 * infra/constructs/app-function.ts BUNDLING), and module init timed in fresh Node processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { ESBUILD_OPTIONS, REPO_ROOT } from '../infra/constructs/app-function.js';
import { quantile } from './report.js';

const RUNNER = fileURLToPath(new URL('./init-runner.mjs', import.meta.url));

/** A module a function might be: code bytes, map bytes and the file to import. */
export interface BuiltModule {
  readonly file: string;
  readonly code: number;
  readonly map: number;
}

/**
 * The untuned build the naive bundle is (604 KiB): esbuild's defaults for a minified Node
 * ESM bundle, so its default main fields (the SDK's CommonJS dist), no target, no source map. The
 * one addition is the `require` shim without which an ESM bundle of CommonJS cannot load `node:*`.
 */
export const NAIVE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  minify: true,
  banner: { js: ESBUILD_OPTIONS.banner.js },
  absWorkingDir: REPO_ROOT,
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * Bundles `source` (TypeScript, resolved from the repository) into `dir/index.mjs`, with the
 * deployed options unless `options` says otherwise (the naive baseline: NAIVE_OPTIONS).
 */
export async function bundleSource(dir: string, source: string, options: BuildOptions = ESBUILD_OPTIONS): Promise<BuiltModule> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  await build({ ...options, stdin: { contents: source, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'entry.ts' }, outfile: file });
  return { file, code: statSync(file).size, map: existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0 };
}

/** The naive function (built with NAIVE_OPTIONS): middy with the DynamoDB (plain and document) and SES clients created at module scope. */
export const NAIVE_SOURCE = `
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ses = new SESClient({});
export const handler = middy(async () => ({ statusCode: 200, body: String(Boolean(db) && Boolean(ses)) }));
`;

/** The floor: a module that does nothing. */
export const EMPTY_SOURCE = 'export const handler = async () => ({ statusCode: 200 });';

/** One cold import of `file` in a fresh process with exactly `env` (plus PATH/HOME); ms. */
export function initOnce(file: string, env: Record<string, string>): number {
  const result = spawnSync(process.execPath, [RUNNER, file], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms)) throw new Error(`init of ${file} failed: ${result.stderr.trim().split('\n').slice(0, 12).join(' | ')}`);
  return ms;
}

/**
 * Init p50 of each candidate over `rounds` fresh processes; the candidates take turns within a
 * round, so load on the machine hits all alike.
 */
export function initTimes(candidates: readonly { key: string; file: string; env: Record<string, string> }[], rounds: number, onProgress: (done: number) => void): Map<string, number> {
  const samples = new Map(candidates.map((c) => [c.key, [] as number[]]));
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    for (const candidate of round % 2 === 0 ? candidates : [...candidates].reverse()) {
      samples.get(candidate.key)!.push(initOnce(candidate.file, candidate.env));
      onProgress(++done);
    }
  }
  return new Map([...samples].map(([key, values]) => [key, quantile(values, 0.5)]));
}

/** The package an esbuild input path belongs to (`@scope/name`, `name`), or our own top folder (`shared/http`, `functions`). */
export function packageOf(input: string): string {
  const path = input.replace(/\\/g, '/');
  const at = path.lastIndexOf('node_modules/');
  if (at >= 0) return /^((?:@[^/]+\/)?[^/]+)/.exec(path.slice(at + 'node_modules/'.length))?.[1] ?? path;
  const parts = path.split('/');
  return parts[0] === 'shared' && parts.length > 2 ? `ours: ${parts[0]}/${parts[1]}` : `ours: ${parts[0]}`;
}

/** Bytes of a function's bundle by package: built from its entry with the deployed options and a metafile. */
export async function bytesByPackage(entry: string): Promise<{ total: number; packages: Map<string, number> }> {
  const result = await build({ ...ESBUILD_OPTIONS, entryPoints: [entry], outfile: join(REPO_ROOT, '.bench-metafile', 'index.mjs'), write: false, metafile: true });
  const metafile: Metafile = result.metafile;
  const output = Object.entries(metafile.outputs).find(([name]) => name.endsWith('.mjs'))?.[1];
  const packages = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    packages.set(name, (packages.get(name) ?? 0) + bytesInOutput);
  }
  return { total: output?.bytes ?? 0, packages };
}
