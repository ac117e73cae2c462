import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUNCE_RATE_ALARM, COMPLAINT_RATE_ALARM } from '../../infra/constructs/email-events.js';
import { SYNTH_TIMEOUT_MS, logicalId, removeScratch, synthesize } from './synth.js';
import type { Json, Synthesized } from './synth.js';

type Resource = { Type: string; Properties: Json } & Json;

let synthesized: Synthesized;
const resourcesOf = (type: string) => synthesized.template.findResources(type) as Record<string, Resource>;
const only = (type: string): Resource => {
  const [resource, ...others] = Object.values(resourcesOf(type));
  expect(others, type).toEqual([]);
  if (resource === undefined) throw new Error(`No ${type}`);
  return resource;
};

beforeAll(() => {
  synthesized = synthesize({ cloud: 'public' });
}, SYNTH_TIMEOUT_MS);
afterAll(removeScratch);

describe("SES's events about each email", () => {
  it('sends every email with one configuration set that publishes reputation metrics and tracks no opens or clicks', () => {
    // Act
    const set = only('AWS::SES::ConfigurationSet').Properties;

    // Assess
    expect(set.ReputationOptions).toEqual({ ReputationMetricsEnabled: true });
    // No tracking options: SES leaves the acceptance link as written.
    expect(set.TrackingOptions).toBeUndefined();
  });

  it('publishes delivery, bounce, complaint and reject (never open or click) to the topic that only SES of this configuration set may publish to', () => {
    // Prepare
    const { stack } = synthesized;
    const topicId = logicalId(stack, stack.emailEvents.topic);
    const setId = logicalId(stack, stack.mailer.configurationSet);

    // Act
    const destination = only('AWS::SES::ConfigurationSetEventDestination').Properties;
    const policy = Object.values(resourcesOf('AWS::SNS::TopicPolicy')).find((p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: topicId }]));

    // Assess
    expect(destination).toEqual({
      ConfigurationSetName: { Ref: setId },
      EventDestination: { Enabled: true, MatchingEventTypes: ['delivery', 'bounce', 'complaint', 'reject'], SnsDestination: { TopicARN: { Ref: topicId } } },
    });
    const statements = (policy?.Properties.PolicyDocument as { Statement: Json[] }).Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'ses.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: {
            'aws:SourceAccount': { Ref: 'AWS::AccountId' },
            'aws:SourceArn': { 'Fn::Join': ['', ['arn:aws:ses:us-east-1:', { Ref: 'AWS::AccountId' }, ':configuration-set/', { Ref: setId }]] },
          },
        },
      }),
    ]);
  });

  it('hands each event to record-email-events, keeping what it cannot hand over in the dead-letter queue', () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const subscription = only('AWS::SNS::Subscription').Properties;
    const permission = Object.values(resourcesOf('AWS::Lambda::Permission')).find((p) => p.Properties.Principal === 'sns.amazonaws.com');

    // Assess
    expect(subscription).toEqual({
      Protocol: 'lambda',
      TopicArn: { Ref: logicalId(stack, stack.emailEvents.topic) },
      Endpoint: { 'Fn::GetAtt': [logicalId(stack, stack.functions['record-email-events']), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack, stack.deadLetters.queue), 'Arn'] } },
    });
    expect(permission?.Properties).toMatchObject({
      FunctionName: { 'Fn::GetAtt': [logicalId(stack, stack.functions['record-email-events']), 'Arn'] },
      SourceArn: { Ref: logicalId(stack, stack.emailEvents.topic) },
    });
  });

  it("alarms when SES's bounce rate passes 5 % or its complaint rate 0.1 %, where SES reviews the account", () => {
    // Prepare
    const { stack } = synthesized;

    // Act
    const alarms = resourcesOf('AWS::CloudWatch::Alarm');
    const bounce = alarms[logicalId(stack, stack.emailEvents.bounceRate)]?.Properties;
    const complaint = alarms[logicalId(stack, stack.emailEvents.complaintRate)]?.Properties;

    // Assess
    expect([BOUNCE_RATE_ALARM, COMPLAINT_RATE_ALARM]).toEqual([0.05, 0.001]);
    for (const [alarm, metric, threshold] of [
      [bounce, 'Reputation.BounceRate', 0.05],
      [complaint, 'Reputation.ComplaintRate', 0.001],
    ] as const) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/SES',
        MetricName: metric,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: logicalId(stack, stack.monitoring.topic) }],
      });
    }
  });
});
