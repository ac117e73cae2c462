import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS, REPO_ROOT } from '../../infra/constructs/app-function.js';

/** An SDK client built the way the functions are, asked for the credentials its default chain resolves. */
const ENTRY = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({ region: 'eu-west-1' });
try { process.stdout.write(JSON.stringify(await client.config.credentials())); } catch (error) { process.stdout.write('failed: ' + error.message); }
`;

let file: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambda-credentials-'));
  file = join(dir, 'index.mjs');
  await build({ ...ESBUILD_OPTIONS, stdin: { contents: ENTRY, resolveDir: REPO_ROOT, loader: 'ts', sourcefile: 'entry.ts' }, outfile: file });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const credentialsIn = (env: Record<string, string>) =>
  spawnSync(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, encoding: 'utf8' }).stdout;

describe('the credentials of a deployed bundle', () => {
  it("are the ones Lambda puts in the environment (the function role's)", () => {
    // Act
    const credentials = credentialsIn({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });

    // Assess
    expect(JSON.parse(credentials)).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('come from nowhere else: no profile, SSO or instance metadata is tried', () => {
    // Act
    const outcome = credentialsIn({ AWS_PROFILE: 'someone', AWS_EC2_METADATA_DISABLED: 'true' });

    // Assess
    expect(outcome).toBe("failed: No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), where Lambda puts the function role's.");
  });
});
