/** SNS-triggered: SES's Delivery, Bounce, Complaint and Reject events of the configuration set, recorded on the invitation's email. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SNSEvent } from 'aws-lambda';
import { recordEmailEvent } from '../shared/invitations/email-events.js';
import { logger } from '../shared/log.js';
import { originalStacks } from '../shared/stack-traces.js';

export const handler = middy(async (event: SNSEvent): Promise<void> => {
  // One record per invocation from SNS; a failure throws, so Lambda retries the delivery.
  for (const record of event.Records) await recordEmailEvent(record.Sns.Message);
})
  .use(originalStacks())
  .use(injectLambdaContext(logger));
