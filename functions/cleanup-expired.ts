/** Scheduled: expires what is overdue, through the sparse expiry index. No HTTP chain; the logger gets the Lambda context. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { runCleanup, type CleanupReport } from '../shared/cleanup/service.js';
import { logger } from '../shared/log.js';
import { originalStacks } from '../shared/stack-traces.js';

export const handler = middy(async (): Promise<CleanupReport> => runCleanup())
  .use(originalStacks())
  .use(injectLambdaContext(logger));
