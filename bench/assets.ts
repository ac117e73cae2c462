/**
 * The functions exactly as deployed: the synthesized cloud assembly's asset of each function
 * (index.mjs + index.mjs.map, built by NodejsFunction with the project's esbuild) and the
 * environment the stack gives it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleSizes } from '../infra/bundle-sizes.js';
import { REPO_ROOT } from '../infra/constructs/app-function.js';
import { functions, type FunctionName } from '../infra/routes.js';
import type { Handler } from '../infra/local/gateway.js';

/** One deployed function: catalogue name, asset directory, sizes and its environment (references resolved by the caller). */
export interface DeployedFunction {
  readonly name: FunctionName;
  readonly file: string;
  readonly code: number;
  readonly map: number;
  readonly environment: Record<string, unknown>;
}

/** The newest modification time under `path` (files only). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), 0);
}

/** `cdk.out` when it is newer than every source it is built from; otherwise a fresh synthesis in a scratch directory. */
export function assembly(log: (line: string) => void): { dir: string; fresh: boolean } {
  const existing = join(REPO_ROOT, 'cdk.out');
  const manifest = join(existing, 'manifest.json');
  const sources = ['functions', 'shared', 'infra', 'package-lock.json', 'cdk.json'].map((p) => join(REPO_ROOT, p));
  if (existsSync(manifest) && statSync(manifest).mtimeMs > Math.max(...sources.map(newest))) return { dir: existing, fresh: false };
  const dir = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
  log('synthesizing the app (npx cdk synth --quiet)…');
  // CDK_VALIDATION only skips the CloudFormation schema check; bundling is unchanged.
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDK_VALIDATION: 'false' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`cdk synth failed: ${(result.stderr ?? '').trim().split('\n').slice(-5).join('\n')}`);
  return { dir, fresh: true };
}

const catalogueName = (constructId: string): FunctionName | undefined => {
  const kebab = constructId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return kebab in functions ? (kebab as FunctionName) : undefined;
};

/** Every function of the assembly by catalogue name. */
export function deployedFunctions(assemblyDir: string): Map<FunctionName, DeployedFunction> {
  const found = new Map<FunctionName, DeployedFunction>();
  for (const size of bundleSizes(assemblyDir)) {
    const name = catalogueName(size.function);
    if (name === undefined) continue;
    found.set(name, { name, file: join(size.dir, 'index.mjs'), code: size.code, map: size.map, environment: size.environment });
  }
  return found;
}

/** What the template's references become locally: the table names and the gateway's URL. */
export interface LocalValues {
  readonly tableName: string;
  readonly idempotencyTableName: string;
  readonly publicBaseUrl: string;
  /** The local OpenID Provider and its client: the acceptance pages' sign-in. */
  readonly oidcIssuer: string;
  readonly oidcClientId: string;
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
}

/**
 * The function's environment with the stack's references resolved to the local stack, plus the
 * local endpoints (Lambda's own AWS_REGION becomes `local`).
 */
export function localEnvironment(fn: DeployedFunction, local: LocalValues): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(fn.environment)) {
    if (typeof value === 'string') env[key] = value;
    else if (key === 'TABLE_NAME') env[key] = local.tableName;
    else if (key === 'IDEMPOTENCY_TABLE_NAME') env[key] = local.idempotencyTableName;
    else if (key === 'PUBLIC_BASE_URL') env[key] = local.publicBaseUrl;
    else if (key === 'OIDC_ISSUER') env[key] = local.oidcIssuer;
    else if (key === 'OIDC_CLIENT_ID') env[key] = local.oidcClientId;
    // The SES stand-in has no configuration sets and emits no events: the local stack sends without one.
    else if (key === 'SES_CONFIGURATION_SET') continue;
    else throw new Error(`${fn.name}: no local value for ${key}`);
  }
  return {
    ...env,
    DYNAMODB_ENDPOINT: local.dynamodbEndpoint,
    SES_ENDPOINT: local.sesEndpoint,
    AWS_REGION: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Loads a bundled handler into this process (each URL is its own module instance: `copy` gives a fresh one). */
export async function importHandler(fn: DeployedFunction, copy?: string): Promise<Handler> {
  const url = pathToFileURL(fn.file).href + (copy === undefined ? '' : `?${copy}`);
  const module = (await import(url)) as { handler: Handler };
  return module.handler;
}
