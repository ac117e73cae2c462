/**
 * Logs can be joined to a request: every structured line a function writes carries the Lambda
 * request id and the cold-start flag, through the HTTP chain (over the local gateway, which hands
 * each function a context as Lambda does) and in the plain handlers.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as publishEvents } from '../../functions/publish-events.js';
import { logger } from '../../shared/log.js';
import { uniqueDomain } from '../support/environment.js';
import { invoke, lambdaContext } from '../support/events.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

// The level the logger starts with, before the modules load: the Lambda context middleware puts
// the logger back to it at every invocation, so a later `setLogLevel` would not hold.
vi.hoisted(() => vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO'));

let t: TestStack;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  t = await startTestStack();
  // Structured lines are kept here instead of being printed; anything else passes through.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.startsWith('{')) return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    for (const line of text.split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await t.stop();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('log lines joinable to their request', () => {
  it('gives each API request its own request id and a cold-start flag on every line it logs', async () => {
    // Prepare
    const token = await t.partnerToken('fabrikam');
    const invite = (customer: string) => t.api('POST', '/invitations', { token, body: { customerDomain: customer, adminEmail: `admin@${customer}` } });
    // Act
    const first = await invite(uniqueDomain());
    const second = await invite(uniqueDomain());
    // Assess
    expect([first.status, second.status]).toEqual([201, 201]);
    const created = lines.filter((line) => line.message === 'Invitation created');
    expect(created).toHaveLength(2);
    for (const line of created) {
      expect(line).toMatchObject({ function_name: 'create-invitation', function_request_id: expect.stringMatching(UUID), cold_start: expect.any(Boolean) });
    }
    expect(created[0]?.function_request_id).not.toBe(created[1]?.function_request_id);
    expect(created[1]?.cold_start).toBe(false);
  });

  it('gives the plain stream handler the request id of its invocation', async () => {
    // Prepare
    const context = lambdaContext('publish-events');
    // Act
    await invoke(publishEvents, { Records: [] }, context);
    // Assess
    const published = lines.filter((line) => line.message === 'audit events published');
    expect(published.at(-1)).toMatchObject({ function_name: 'publish-events', function_request_id: context.awsRequestId, cold_start: expect.any(Boolean) });
  });

  it('keeps each invocation its own context when the local stack runs several at once, as Lambda Managed Instances does', async () => {
    // Prepare: a slow invocation logs after a second one, in the same process, has started and logged.
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = middy(async () => {
      await gate;
      logger.info('slow invocation done');
    }).use(injectLambdaContext(logger));
    const quick = middy(async () => logger.info('quick invocation done')).use(injectLambdaContext(logger));
    const slowContext = lambdaContext('slow-function');
    // Act
    const slowRun = invoke(slow, {}, slowContext);
    await invoke(quick, {}, 'quick-function');
    release();
    await slowRun;
    // Assess
    const line = lines.find((entry) => entry.message === 'slow invocation done');
    expect(line).toMatchObject({ function_name: 'slow-function', function_request_id: slowContext.awsRequestId });
  });
});
