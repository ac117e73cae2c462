import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface CleanupJobProps {
  readonly handler: IFunction;
  readonly rate: Duration;
  /** Where a schedule event goes when the function cannot be invoked after the retries. */
  readonly deadLetterQueue: IQueue;
}

/** Runs the cleanup function on a fixed rate, so overdue invitations and relationships are settled without a request. */
export class CleanupJob extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: CleanupJobProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Schedule', {
      description: 'Expires overdue invitations and relationships',
      schedule: Schedule.rate(props.rate),
      targets: [
        new LambdaFunction(props.handler, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: props.deadLetterQueue,
        }),
      ],
    });
  }
}
