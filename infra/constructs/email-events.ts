import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnConfigurationSetEventDestination, EmailSendingEvent, type IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The events fed back onto the invitation's email; no OPEN or CLICK, so SES never rewrites the acceptance link. */
export const EMAIL_EVENTS: readonly EmailSendingEvent[] = [EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT];

/** SES reviews an account whose bounce rate passes 5 % or whose complaint rate passes 0.1 %; the alarms fire there. */
export const BOUNCE_RATE_ALARM = 0.05;
export const COMPLAINT_RATE_ALARM = 0.001;

export interface EmailEventsProps {
  readonly configurationSet: IConfigurationSet;
  /** `record-email-events`, subscribed to the topic. */
  readonly handler: IFunction;
  /** Where SNS puts an event it could not hand to the function. */
  readonly deadLetterQueue: IQueue;
  /** The operators' alarm topic. */
  readonly alarmTopic: ITopic;
}

/**
 * What SES says became of each email: the configuration set's Delivery, Bounce, Complaint and
 * Reject events go to an SNS topic (TLS only) that `record-email-events` is subscribed to; and
 * alarms on SES's reputation (bounce rate above 5 %, complaint rate above 0.1 %).
 */
export class EmailEvents extends Construct {
  readonly topic: Topic;
  readonly bounceRate: Alarm;
  readonly complaintRate: Alarm;

  constructor(scope: Construct, id: string, props: EmailEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const configurationSetArn = stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: props.configurationSet.configurationSetName });
    this.topic = new Topic(this, 'Topic', { displayName: `${stack.stackName} email events`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        "SES's events hold message ids, the recipient's address and SMTP diagnostics for the moment SNS hands them to one function, over TLS only (enforceSSL); " +
        'a key of its own would have to let SES use it, to protect data the table already holds encrypted.',
    });
    // Only SES, for this account's configuration set (the ARN written in the stack's own partition).
    const publishing = this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': configurationSetArn } },
      }),
    );
    const destination = new CfnConfigurationSetEventDestination(this, 'Destination', {
      configurationSetName: props.configurationSet.configurationSetName,
      eventDestination: { enabled: true, matchingEventTypes: [...EMAIL_EVENTS], snsDestination: { topicArn: this.topic.topicArn } },
    });
    if (publishing.policyDependable !== undefined) destination.node.addDependency(publishing.policyDependable);
    this.topic.addSubscription(new LambdaSubscription(props.handler, { deadLetterQueue: props.deadLetterQueue }));

    const action = new SnsAction(props.alarmTopic);
    // Account-wide, as SES judges the account: every email of this stack goes out through the configuration set.
    const reputation = (alarmId: string, metricName: string, threshold: number, description: string) => {
      const alarm = new Alarm(this, alarmId, {
        alarmName: `${stack.stackName}-${alarmId}`,
        alarmDescription: description,
        metric: new Metric({ namespace: 'AWS/SES', metricName, statistic: Stats.MAXIMUM, period: Duration.hours(1) }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    };
    this.bounceRate = reputation('BounceRate', 'Reputation.BounceRate', BOUNCE_RATE_ALARM, 'SES bounce rate above 5 %: SES reviews the account there; check the invitations whose email BOUNCED.');
    this.complaintRate = reputation(
      'ComplaintRate',
      'Reputation.ComplaintRate',
      COMPLAINT_RATE_ALARM,
      'SES complaint rate above 0.1 %: SES reviews the account there; check the invitations whose email was COMPLAINED about.',
    );
  }
}
