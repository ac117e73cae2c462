import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StreamDelivery } from '../../shared/events/stream.js';

export interface StreamConsumerProps {
  readonly handler: LambdaFunction;
  readonly table: ITable;
  readonly deadLetterQueue: IQueue;
  /** Batch size, retries and record age; the local stream poller reads the same settings. */
  readonly delivery: StreamDelivery;
  /** The event source mapping's filter patterns (`FilterCriteria.filter(...)`): only these records reach the function. */
  readonly filters: Record<string, unknown>[];
}

/**
 * Hands the table's stream to a function, as every stream consumer here needs it: in order, with
 * partial-batch failures and bisecting, the shared retry settings, discarded records' details in
 * the dead-letter queue (which alarms), and stream reads granted without a grant on the table itself.
 */
export function consumeTableStream(scope: Construct, props: StreamConsumerProps): void {
  if (props.table.tableStreamArn === undefined) throw new Error(`The table ${props.table.node.path} has no stream to read`);
  // The event source grants stream reads on the table it is given, and on that table's key with no condition; handed the
  // stream without the key, it grants only the stream, and the key is granted below, for use through DynamoDB alone.
  const stream = Table.fromTableAttributes(scope, 'Stream', { tableArn: props.table.tableArn, tableStreamArn: props.table.tableStreamArn });
  props.handler.addEventSource(
    new DynamoEventSource(stream, {
      // The mapping keeps its checkpoint: start from the oldest record so nothing written before it existed is skipped.
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: props.delivery.batchSize,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      // The local stream poller gives up after the same number of retries.
      retryAttempts: props.delivery.retryAttempts,
      maxRecordAge: Duration.hours(props.delivery.maxRecordAgeHours),
      onFailure: new SqsDlq(props.deadLetterQueue),
      filters: props.filters,
    }),
  );
  const stack = Stack.of(scope);
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
  const policy = props.handler.role?.node.tryFindChild('DefaultPolicy');
  if (policy !== undefined) {
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (no resource-level permissions) and dynamodb:ListStreams, which the stream event source needs and which supports no resource-level permissions.',
    });
  }
}
