/**
 * What each function's bundle holds: a function brings only the code of the paths it serves
 * (cold starts parse and run everything bundled). Built with the deployed esbuild options.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS, REPO_ROOT } from '../../infra/constructs/app-function.js';
import { functions as catalogue } from '../../infra/routes.js';
import type { FunctionName } from '../../infra/routes.js';
import { functionNames as names } from './synth.js';

/** The input files of each function's bundle (paths relative to the repository). */
const inputs = new Map<FunctionName, string[]>();
let graph: Record<string, { imports: readonly { path: string }[] }> = {};

beforeAll(async () => {
  const result = await build({
    ...ESBUILD_OPTIONS,
    entryPoints: Object.fromEntries(names.map((name) => [name, join(REPO_ROOT, 'functions', `${name}.ts`)])),
    sourcemap: false,
    outdir: join(tmpdir(), 'bundle-inputs'),
    write: false,
    metafile: true,
  });
  graph = result.metafile.inputs;
  for (const [output, { entryPoint, inputs: used }] of Object.entries(result.metafile.outputs)) {
    const name = /functions\/([a-z-]+)\.ts$/.exec(entryPoint ?? '')?.[1] as FunctionName | undefined;
    if (name !== undefined && output.endsWith('.js')) inputs.set(name, Object.keys(used));
  }
}, 120_000);

/** The files of `name`'s bundle that import `path`. */
const importersOf = (name: FunctionName, path: string): string[] =>
  (inputs.get(name) ?? []).filter((input) => graph[input]?.imports.some((imported) => imported.path.includes(path)));

const bundles = (name: FunctionName, path: string): boolean => (inputs.get(name) ?? []).some((input) => input.includes(path));

describe('what each function bundles', () => {
  it('builds every function', () => {
    expect([...inputs.keys()].toSorted()).toEqual([...names].toSorted());
  });

  it.each(names)('bundles Powertools idempotency into %s only if it takes Idempotency-Key', (name) => {
    const idempotent = (catalogue[name] as { idempotent?: boolean }).idempotent === true;
    expect(bundles(name, 'shared/http/idempotency.ts')).toBe(idempotent);
    expect(bundles(name, 'node_modules/@aws-lambda-powertools/idempotency/')).toBe(idempotent);
    expect(bundles(name, 'node_modules/@aws-lambda-powertools/jmespath/')).toBe(idempotent);
  });

  it.each(names)('bundles into %s only the credential link Lambda uses (the environment), not the SDK chain with its SSO and STS clients', (name) => {
    expect(bundles(name, 'shared/aliases/credentials.ts')).toBe(true);
    for (const chain of ['credential-provider-node', 'credential-provider-ini', 'credential-provider-sso', 'nested-clients', 'credential-provider-imds']) {
      expect(bundles(name, `/${chain}/`), chain).toBe(false);
    }
  });

  it.each(names)('bundles into %s no semver, whose one importer is X-Ray\'s AWS SDK v2 patcher, never called', (name) => {
    expect(bundles(name, '/semver/')).toBe(false);
    const importers = importersOf(name, 'shared/aliases/semver.ts').map((importer) => importer.slice(importer.lastIndexOf('node_modules/')));
    expect(importers).toEqual(['node_modules/aws-xray-sdk-core/dist/lib/patchers/aws_p.js']);
  });
});
