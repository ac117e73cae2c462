import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { constructId } from '../names.js';
import { functions as catalogue, readsTableStream, type FunctionName, type FunctionSpec } from '../routes.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './app-function.js';
import type { BusinessMetric } from '../../shared/metrics.js';

/** Counted by the acceptance functions whenever a link comes with an unknown id or a wrong secret. */
const WRONG_SECRET_METRIC: BusinessMetric = 'AcceptanceLinkWrongSecret';

/**
 * Wrong secrets per 5 minutes that raise the alarm. A customer admin whose mail client broke the
 * link tries a few times (a look and an answer each), so even several at once stay well below;
 * 25 in five minutes is a script probing links. Nothing is at risk (a 256-bit secret cannot be
 * guessed, and a wrong one changes nothing), so this asks an operator to look, not to lock anything.
 */
const WRONG_SECRET_ALARM_THRESHOLD = 25;

/** The business metrics the functions emit in Embedded Metric Format, with Powertools' `service` dimension. */
export const INVITATION_METRICS = ['InvitationsCreated', 'InvitationsAccepted', 'InvitationsDeclined', 'InvitationsExpired'] as const;

const PERIOD = Duration.minutes(5);

export interface MonitoringProps {
  readonly api: IHttpApi;
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
  readonly deadLetterQueue: IQueue;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail: string | undefined;
}

/** The alarms an operator is told about. */
export interface OperationsAlarms {
  readonly api5xx: Alarm;
  readonly deadLetters: Alarm;
  readonly functionErrors: Readonly<Record<FunctionName, Alarm>>;
  readonly functionThrottles: Readonly<Record<FunctionName, Alarm>>;
  /** Per stream consumer: records waiting too long, i.e. publishing to EventBridge is stuck. */
  readonly streamIteratorAge: Readonly<Partial<Record<FunctionName, Alarm>>>;
  /** Acceptance links tried with unknown ids or wrong secrets at a rate no person makes. */
  readonly wrongSecrets: Alarm;
}

/**
 * What an operator watches: an alarm on any API 5xx, on every function's errors and throttles, on dead letters and on links probed with wrong secrets,
 * all sent to one SNS topic (optionally to an email), and a dashboard of invitations, API traffic and function health.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: OperationsAlarms;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = Object.keys(props.functions) as FunctionName[];

    this.topic = new Topic(this, 'AlarmTopic', { displayName: `${stack.stackName} alarms`, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
    if (props.alarmEmail !== undefined) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'An email to the operator cannot be replayed from a queue; an undelivered alarm stays visible in CloudWatch, with the alarm state.',
      });
    }
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold = 1): Alarm => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${stack.stackName}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    const perFunction = (suffix: string, describe: (name: FunctionName) => string, metricOf: (fn: IFunction) => IMetric) =>
      Object.fromEntries(
        names.map((name) => [name, alarm(`${constructId(name)}${suffix}`, describe(name), metricOf(props.functions[name]))]),
      ) as Record<FunctionName, Alarm>;

    this.alarms = {
      api5xx: alarm('Api5xx', 'The HTTP API answered with a 5xx: a bug or an outage behind a route.', props.api.metricServerError({ period: PERIOD, statistic: Stats.SUM })),
      deadLetters: alarm(
        'DeadLetters',
        'An asynchronous invocation (a schedule or event) failed after its retries; the event waits in the dead-letter queue.',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: Stats.MAXIMUM }),
      ),
      functionErrors: perFunction('Errors', (name) => `The ${name} function failed.`, (fn) => fn.metricErrors({ period: PERIOD, statistic: Stats.SUM })),
      functionThrottles: perFunction(
        'Throttles',
        (name) => `The ${name} function was throttled: the account's concurrency is exhausted.`,
        (fn) => fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM }),
      ),
      wrongSecrets: alarm(
        'AcceptanceLinkWrongSecrets',
        `At least ${WRONG_SECRET_ALARM_THRESHOLD} acceptance-link requests in 5 minutes came with an unknown id or a wrong secret: someone is probing links. No link is locked; look at the API access log for the source.`,
        new Metric({ namespace: METRICS_NAMESPACE, metricName: WRONG_SECRET_METRIC, dimensionsMap: { service: SERVICE_NAME }, statistic: Stats.SUM, period: PERIOD }),
        WRONG_SECRET_ALARM_THRESHOLD,
      ),
      streamIteratorAge: Object.fromEntries(
        names
          .filter((name) => readsTableStream(catalogue[name] as FunctionSpec))
          .map((name) => [
            name,
            alarm(
              `${constructId(name)}IteratorAge`,
              `The ${name} function is more than 15 minutes behind the table stream: ${name === 'publish-events' ? 'events are not reaching EventBridge' : 'invitation emails are not going out'}.`,
              props.functions[name].metric('IteratorAge', { period: PERIOD, statistic: Stats.MAXIMUM }),
              15 * 60 * 1000,
            ),
          ]),
      ),
    };

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: stack.stackName, defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Invitations',
        width: 24,
        left: INVITATION_METRICS.map(
          (metricName) =>
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName,
              dimensionsMap: { service: SERVICE_NAME },
              statistic: Stats.SUM,
              period: Duration.hours(1),
            }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests, 4xx and 5xx',
        width: 12,
        left: [props.api.metricCount({ period: PERIOD, statistic: Stats.SUM })],
        right: [
          props.api.metricClientError({ period: PERIOD, statistic: Stats.SUM }),
          props.api.metricServerError({ period: PERIOD, statistic: Stats.SUM }),
        ],
      }),
      new GraphWidget({
        title: 'API latency',
        width: 12,
        left: [Stats.p(50), Stats.p(90), Stats.p(99)].map((statistic) => props.api.metricLatency({ period: PERIOD, statistic })),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        width: 12,
        left: names.map((name) => props.functions[name].metricErrors({ period: PERIOD, statistic: Stats.SUM, label: name })),
      }),
      new GraphWidget({
        title: 'Function throttles',
        width: 12,
        left: names.map((name) => props.functions[name].metricThrottles({ period: PERIOD, statistic: Stats.SUM, label: name })),
      }),
    );
  }
}
