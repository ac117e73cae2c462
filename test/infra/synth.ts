/** Builds the stack for the infra tests, each app writing to a scratch directory the suite removes afterwards. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { loadConfig } from '../../infra/config.js';
import type { DeploymentConfig } from '../../infra/config.js';
import { functions as catalogue } from '../../infra/routes.js';
import type { FunctionName } from '../../infra/routes.js';
import { PartnerRelationshipsStack } from '../../infra/stack.js';

export type Json = Record<string, unknown>;

export interface Synthesized {
  readonly app: App;
  readonly config: DeploymentConfig;
  readonly stack: PartnerRelationshipsStack;
  readonly template: Template;
}

/** Generous for the one bundled synthesis per file on a small machine. */
export const SYNTH_TIMEOUT_MS = 120_000;

/** Every function in the catalogue, so tests follow it as it grows. */
export const functionNames = Object.keys(catalogue) as FunctionName[];

// CDK's built-in CloudFormation schema check (a WASM engine, ~8 s to start) runs in `cdk synth`; the assertions here need only the template.
process.env.CDK_VALIDATION = 'false';

const scratch = mkdtempSync(join(tmpdir(), 'infra-test-'));

/** The context `cdk synth` gives the app from cdk.json: the feature flags of the CDK version in use. */
export const cdkJsonContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Json }).context;

/** A fresh app whose cloud assembly goes to the scratch directory, with cdk.json's context as `cdk synth` has it; `flags: false` leaves it out. */
export function newApp(context: Json, flags = true): App {
  return new App({ outdir: mkdtempSync(join(scratch, 'app-')), context: { ...(flags ? cdkJsonContext : {}), ...context } });
}

/** Builds the stack for a context; `bundle: false` skips esbuild for checks that only need the template; `flags: false` synthesizes without cdk.json's feature flags. */
export function synthesize(context: Json, bundle = false, flags = true): Synthesized {
  const app = newApp(bundle ? context : { ...context, 'aws:cdk:bundling-stacks': [] }, flags);
  const config = loadConfig(app.node);
  const stack = new PartnerRelationshipsStack(app, config.stackName, { config, env: { region: config.region } });
  return { app, config, stack, template: Template.fromStack(stack) };
}

/** The logical id of an L2 construct's CloudFormation resource. */
export function logicalId(stack: PartnerRelationshipsStack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Removes every cloud assembly this file wrote. */
export function removeScratch(): void {
  rmSync(scratch, { recursive: true, force: true });
}
