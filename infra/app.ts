/** The CDK app: one stack per invocation, for the cloud chosen with `-c cloud=public|usgov|germany`, checked by cdk-nag. */
import { App, Tags } from 'aws-cdk-lib';
import { loadConfig } from './config.js';
import { enforceNag } from './nag.js';
import { PartnerRelationshipsStack } from './stack.js';

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
