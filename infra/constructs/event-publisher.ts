import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface EventPublisherProps {
  readonly handler: LambdaFunction;
  readonly table: ITable;
  readonly deadLetterQueue: IQueue;
}

/** The outbox relay: committed audit records on the table's stream go to the default EventBridge bus, retried until published. */
export class EventPublisher extends Construct {
  constructor(scope: Construct, id: string, props: EventPublisherProps) {
    super(scope, id);
    props.handler.addEventSource(
      new DynamoEventSource(props.table, {
        // The mapping keeps its checkpoint: start from the oldest record so nothing written before it existed is skipped.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10_000,
        // Ride out an EventBridge outage, then hand over with half the stream's 24 h retention left.
        maxRecordAge: Duration.hours(12),
        onFailure: new SqsDlq(props.deadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { type: { S: FilterRule.isEqual('AUDIT') } } },
          }),
        ],
      }),
    );
    props.handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      }),
    );
    props.handler.addEnvironment('EVENT_BUS_NAME', 'default');
    const policy = props.handler.role?.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing (no resource-level permissions) and dynamodb:ListStreams, which the stream event source needs and which supports no resource-level permissions.',
      });
    }
  }
}
