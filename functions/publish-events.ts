/** Stream-triggered: relays committed audit records to EventBridge (the outbox). No HTTP chain; the logger gets the Lambda context. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishAuditRecords } from '../shared/events/publisher.js';
import { logger } from '../shared/log.js';
import { originalStacks } from '../shared/stack-traces.js';

export const handler = middy(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => publishAuditRecords(event.Records))
  .use(originalStacks())
  .use(injectLambdaContext(logger));
