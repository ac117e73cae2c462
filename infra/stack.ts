import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.js';
import { Api } from './constructs/api.js';
import { AppFunction } from './constructs/app-function.js';
import { CleanupJob } from './constructs/cleanup-job.js';
import { Mailer } from './constructs/mailer.js';
import { AppTable } from './constructs/table.js';
import { constructId } from './names.js';
import { functions as catalogue, routes, scheduledFunctions } from './routes.js';
import type { FunctionName, FunctionSpec } from './routes.js';

export interface PartnerRelationshipsStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** One isolated copy of the product: table, functions from the catalogue, HTTP API from the route table, mailer and cleanup schedule. */
export class PartnerRelationshipsStack extends Stack {
  readonly table: AppTable;
  readonly api: Api;
  readonly functions: Readonly<Record<FunctionName, AppFunction>>;

  constructor(scope: Construct, id: string, props: PartnerRelationshipsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const scheduled = new Set<FunctionName>(scheduledFunctions);

    this.table = new AppTable(this, 'Data');
    const mailer = new Mailer(this, 'Mailer', { senderEmail: config.senderEmail });

    const entries = Object.entries(catalogue) as [FunctionName, FunctionSpec][];
    this.functions = Object.fromEntries(
      entries.map(([name, spec]) => {
        const fn = new AppFunction(this, constructId(name), {
          name,
          description: spec.description,
          ...(scheduled.has(name) ? { timeout: Duration.minutes(5) } : {}),
        });
        fn.bindTable(this.table.table, spec.table);
        if (spec.sendsEmail === true) mailer.grantSend(fn);
        fn.addEnvironment('SENDER_EMAIL', mailer.senderEmail);
        fn.addEnvironment('INVITATION_TTL_DAYS', String(config.invitationTtlDays));
        return [name, fn];
      }),
    ) as Record<FunctionName, AppFunction>;

    this.api = new Api(this, 'Api', { routes, functions: this.functions });
    const publicBaseUrl = config.publicBaseUrl ?? this.api.url;
    for (const fn of Object.values(this.functions)) fn.addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);

    for (const name of scheduledFunctions) {
      new CleanupJob(this, `${constructId(name)}Schedule`, { handler: this.functions[name], rate: config.cleanupRate });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API endpoint' });
    new CfnOutput(this, 'PublicBaseUrl', { value: publicBaseUrl, description: 'Base of the links in invitation emails' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
  }
}
