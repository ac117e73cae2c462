import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule } from 'aws-cdk-lib/aws-lambda';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STREAM_DELIVERY } from '../../shared/events/stream.js';
import { consumeTableStream } from './stream-consumer.js';

export interface EventPublisherProps {
  readonly handler: LambdaFunction;
  readonly table: ITable;
  readonly deadLetterQueue: IQueue;
}

/** The outbox relay: committed audit records on the table's stream go to the default EventBridge bus, retried until published. */
export class EventPublisher extends Construct {
  constructor(scope: Construct, id: string, props: EventPublisherProps) {
    super(scope, id);
    consumeTableStream(this, {
      ...props,
      delivery: STREAM_DELIVERY,
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { type: { S: FilterRule.isEqual('AUDIT') } } },
        }),
      ],
    });
    const stack = Stack.of(this);
    props.handler.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      }),
    );
    props.handler.addEnvironment('EVENT_BUS_NAME', 'default');
  }
}
