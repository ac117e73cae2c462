/** The CDK app: one stack per invocation, for the cloud chosen with `-c cloud=public|usgov|germany`, checked by cdk-nag. */
import { App, Tags } from 'aws-cdk-lib';
import { loadConfig } from './config.js';
import { enforceNag } from './nag.js';
import { PartnerRelationshipsStack } from './stack.js';

// aws-cdk-lib announces every local bundling on stderr ("Bundling asset <path>..."), unconditionally, so
// `cdk synth --quiet` would print fourteen lines on success. Drop just those announcements; esbuild's own
// warnings and errors, and everything else, still pass. CDK_VERBOSE_BUNDLING=1 keeps them.
if (process.env.CDK_VERBOSE_BUNDLING !== '1') {
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && /^Bundling asset \S+\.\.\.\n$/.test(chunk) ? true : write(chunk, ...rest)) as typeof process.stderr.write;
}

const app = new App();
const config = loadConfig(app.node);

const stack = new PartnerRelationshipsStack(app, config.stackName, {
  config,
  stackName: config.stackName,
  description: `Partner relationships (${config.cloud}, ${config.stage})`,
  env: { region: config.region, account: process.env.CDK_DEFAULT_ACCOUNT },
});
Tags.of(stack).add('project', 'partner-relationships');
Tags.of(stack).add('cloud', config.cloud);
Tags.of(stack).add('stage', config.stage);
enforceNag(app);
