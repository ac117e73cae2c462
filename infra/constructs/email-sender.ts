import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule } from 'aws-cdk-lib/aws-lambda';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EMAIL_DELIVERY } from '../../shared/events/stream.js';
import { consumeTableStream } from './stream-consumer.js';

export interface EmailSenderProps {
  readonly handler: LambdaFunction;
  readonly table: ITable;
  readonly deadLetterQueue: IQueue;
}

/**
 * The invitation emails' queue is the table's stream: every write that queues an invitation
 * email (QUEUED, no attempt yet) reaches the sender. A record
 * whose retries are spent goes to the dead-letter queue, which alarms.
 */
export class EmailSender extends Construct {
  constructor(scope: Construct, id: string, props: EmailSenderProps) {
    super(scope, id);
    consumeTableStream(this, {
      ...props,
      delivery: EMAIL_DELIVERY,
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.or('INSERT', 'MODIFY'),
          // A queued job with no attempt made: the write that queued it, not the sender's own claims.
          dynamodb: {
            NewImage: { type: { S: FilterRule.isEqual('INVITATION') }, email: { M: { status: { S: FilterRule.isEqual('QUEUED') }, attempts: { N: FilterRule.isEqual('0') } } } },
          },
        }),
      ],
    });
  }
}
