import { CfnOutput, Duration, RemovalPolicies, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.js';
import { Api } from './constructs/api.js';
import { AppFunction } from './constructs/app-function.js';
import type { Invocation } from './constructs/app-function.js';
import { CleanupJob } from './constructs/cleanup-job.js';
import { DeadLetters } from './constructs/dead-letters.js';
import { Mailer } from './constructs/mailer.js';
import { EmailEvents } from './constructs/email-events.js';
import { EventPublisher } from './constructs/event-publisher.js';
import { EmailSender } from './constructs/email-sender.js';
import { Monitoring } from './constructs/monitoring.js';
import { AcceptanceSignIn } from './constructs/sign-in.js';
import { AppTable } from './constructs/table.js';
import { constructId } from './names.js';
import { functions as catalogue, routes, scheduledFunctions } from './routes.js';
import type { FunctionName, FunctionSpec } from './routes.js';

export interface PartnerRelationshipsStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/**
 * One isolated copy of the product: encrypted table, functions from the catalogue, HTTP API from the route table,
 * mailer, cleanup schedule, alarms and dashboard. A `dev` stage can be destroyed with everything in it.
 */
export class PartnerRelationshipsStack extends Stack {
  readonly table: AppTable;
  readonly api: Api;
  readonly signIn: AcceptanceSignIn;
  readonly functions: Readonly<Record<FunctionName, AppFunction>>;
  readonly deadLetters: DeadLetters;
  readonly monitoring: Monitoring;
  readonly emailEvents: EmailEvents;
  readonly mailer: Mailer;

  constructor(scope: Construct, id: string, props: PartnerRelationshipsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const production = config.stage === 'production';
    const scheduled = new Set<FunctionName>(scheduledFunctions);
    const routed = new Set<FunctionName>(routes.map((route) => route.function));

    this.table = new AppTable(this, 'Data', { production });
    this.deadLetters = new DeadLetters(this, 'DeadLetters');
    const mailer = new Mailer(this, 'Mailer', { senderEmail: config.senderEmail });
    this.mailer = mailer;

    const invocationOf = (name: FunctionName): Invocation =>
      routed.has(name) && !scheduled.has(name) ? { kind: 'sync' } : { kind: 'async', deadLetterQueue: this.deadLetters.queue };
    const entries = Object.entries(catalogue) as [FunctionName, FunctionSpec][];
    this.functions = Object.fromEntries(
      entries.map(([name, spec]) => {
        const fn = new AppFunction(this, constructId(name), {
          name,
          description: spec.description,
          invocation: invocationOf(name),
          // The schedule walks its due work; the sender waits out SES's throttling between attempts.
          ...(scheduled.has(name) || spec.sendsQueuedEmails === true ? { timeout: Duration.minutes(5) } : {}),
        });
        fn.bindTable(this.table.table, spec.table);
        if (spec.sendsEmail === true) {
          mailer.grantSend(fn);
          fn.addEnvironment('SES_CONFIGURATION_SET', mailer.configurationSet.configurationSetName);
        }
        fn.addEnvironment('SENDER_EMAIL', mailer.senderEmail);
        fn.addEnvironment('INVITATION_TTL_DAYS', String(config.invitationTtlDays));
        fn.addEnvironment('INVITATION_QUOTA_PER_DAY', String(config.invitationQuotaPerDay));
        if (spec.idempotent === true) fn.bindIdempotency(this.table.idempotency);
        if (spec.sendsQueuedEmails === true) new EmailSender(this, `${constructId(name)}Queue`, { handler: fn, table: this.table.table, deadLetterQueue: this.deadLetters.queue });
        if (spec.consumesStream === true) new EventPublisher(this, `${constructId(name)}Outbox`, { handler: fn, table: this.table.table, deadLetterQueue: this.deadLetters.queue });
        return [name, fn];
      }),
    ) as Record<FunctionName, AppFunction>;

    this.api = new Api(this, 'Api', {
      routes,
      functions: this.functions,
      throttle: config.throttle,
      threatProtection: config.threatProtection,
      production,
    });
    const publicBaseUrl = config.publicBaseUrl ?? this.api.url;
    for (const fn of Object.values(this.functions)) fn.addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);

    this.signIn = new AcceptanceSignIn(this, 'SignIn', {
      userPool: this.api.userPool,
      publicBaseUrl,
      domainPrefix: `partner-relationships-${config.cloud}${production ? '' : `-${config.stage}`}-${this.account}`,
      settings: config.signIn,
    });
    // The issuer and client are public facts fetched over HTTPS: no IAM grant goes with them.
    for (const [name, spec] of entries) {
      if (spec.usesSignIn !== true) continue;
      this.functions[name].addEnvironment('OIDC_ISSUER', this.signIn.issuer);
      this.functions[name].addEnvironment('OIDC_CLIENT_ID', this.signIn.client.userPoolClientId);
    }

    for (const name of scheduledFunctions) {
      new CleanupJob(this, `${constructId(name)}Schedule`, {
        handler: this.functions[name],
        rate: config.cleanupRate,
        deadLetterQueue: this.deadLetters.queue,
      });
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api.httpApi,
      functions: this.functions,
      deadLetterQueue: this.deadLetters.queue,
      alarmEmail: config.alarmEmail,
    });

    const [eventsConsumer] = entries.filter(([, spec]) => spec.consumesEmailEvents === true).map(([name]) => this.functions[name]);
    if (eventsConsumer === undefined) throw new Error('No function in the catalogue consumes the email events');
    this.emailEvents = new EmailEvents(this, 'EmailEvents', {
      configurationSet: mailer.configurationSet,
      handler: eventsConsumer,
      deadLetterQueue: this.deadLetters.queue,
      alarmTopic: this.monitoring.topic,
    });

    if (!production) RemovalPolicies.of(this).destroy();

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API endpoint' });
    new CfnOutput(this, 'PublicBaseUrl', { value: publicBaseUrl, description: 'Base of the links in invitation emails' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId, description: 'Partner staff and customer admins' });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'AcceptanceClientId', { value: this.signIn.client.userPoolClientId, description: "The acceptance pages' sign-in app client" });
    new CfnOutput(this, 'SignInUrl', { value: this.signIn.signInUrl, description: 'Hosted sign-in pages where customer admins sign in to accept' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'Subscribe here to be told about alarms' });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
