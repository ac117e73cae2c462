/** Stream-triggered: sends the invitation emails that creates, resends and reminders queued, with retries (see shared/invitations/delivery.ts). */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { sendQueuedEmails } from '../shared/invitations/delivery.js';
import { logger } from '../shared/log.js';
import { originalStacks } from '../shared/stack-traces.js';

export const handler = middy(
  async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => sendQueuedEmails(event.Records, () => context.getRemainingTimeInMillis()),
)
  .use(originalStacks())
  .use(injectLambdaContext(logger));
