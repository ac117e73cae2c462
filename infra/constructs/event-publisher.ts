import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_DELIVERY } from '../../shared/events/stream.js';

export interface EventPublisherProps {
  readonly handler: LambdaFunction;
  readonly table: ITable;
  readonly deadLetterQueue: IQueue;
}

/** The outbox relay: committed audit records on the table's stream go to the default EventBridge bus, retried until published. */
export class EventPublisher extends Construct {
  constructor(scope: Construct, id: string, props: EventPublisherProps) {
    super(scope, id);
    if (props.table.tableStreamArn === undefined) throw new Error(`The table ${props.table.node.path} has no stream to publish from`);
    // The event source grants stream reads on the table it is given, and on that table's key with no condition; handed the
    // stream without the key, it grants only the stream, and the key is granted below, for use through DynamoDB alone.
    const stream = Table.fromTableAttributes(this, 'Stream', { tableArn: props.table.tableArn, tableStreamArn: props.table.tableStreamArn });
    props.handler.addEventSource(
      new DynamoEventSource(stream, {
        // The mapping keeps its checkpoint: start from the oldest record so nothing written before it existed is skipped.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_DELIVERY.batchSize,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        // The local stream poller gives up after the same number of retries.
        retryAttempts: STREAM_DELIVERY.retryAttempts,
        maxRecordAge: Duration.hours(STREAM_DELIVERY.maxRecordAgeHours),
        onFailure: new SqsDlq(props.deadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { type: { S: FilterRule.isEqual('AUDIT') } } },
          }),
        ],
      }),
    );
    const stack = Stack.of(this);
    if (props.table.encryptionKey !== undefined) {
      // Stream records are encrypted with the table's key: decrypting them is a read, through DynamoDB only.
      props.handler.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: [props.table.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
        }),
      );
    }
    props.handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
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
