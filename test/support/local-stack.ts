/** Starts the local stack in this test process, on the shared DynamoDB Local and SES stand-in, with a movable clock. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { movableClock, useClock } from '../../shared/clock.js';
import { resetConfig } from '../../shared/config.js';
import type { TokenShape } from '../../shared/identity/caller.js';
import { signToken } from '../../infra/local/jwt.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import { addCustomerAdmin } from '../../infra/local/accounts.js';
import { contractRecorder } from './contract.js';

export interface TestStack {
  readonly stack: LocalStack;
  readonly clock: ReturnType<typeof movableClock>;
  /** A Cognito-shaped ID token by default; `'access'` for one with plain claims. */
  partnerToken(partnerId: string, shape?: TokenShape): Promise<string>;
  customerToken(customerDomain: string, shape?: TokenShape): Promise<string>;
  /** Creates (or resets) a customer admin at the stack's OpenID Provider; answers the address and its password. */
  customerAdmin(email: string, password?: string): Promise<{ email: string; password: string }>;
  /** A request to the gateway; JSON bodies are sent as JSON. */
  api(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  /** Answers so far that broke the OpenAPI document. */
  contractViolations(): string[];
  /** Stops the stack; fails when any answer it gave broke the OpenAPI document (the contract test of every e2e file). */
  stop(): Promise<void>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, any> | undefined;
}

/**
 * The gateway on a free port, its own table and data directory; links in emails point at it.
 * Every answer is checked against the OpenAPI document, and `stop()` fails on any violation.
 */
export async function startTestStack(options: { log?: (line: string) => void; sesEndpoint?: string } = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'partner-relationships-e2e-'));
  const contract = contractRecorder();
  const stack = await startLocalStack(
    {
      port: 0,
      sesPort: 0,
      dynamodbPort: 0,
      dataDir,
      publicBaseUrl: 'http://placeholder.invalid',
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      sesEndpoint: options.sesEndpoint ?? inject('sesEndpoint'),
      tableName: `e2e-${randomUUID()}`,
      senderEmail: 'no-reply@partner-relationships.test',
      cleanupIntervalSeconds: 0,
    },
    { persist: false, cleanupTimer: false, events: false, log: options.log, gateway: { onResponse: contract.observe } },
  );
  process.env.PUBLIC_BASE_URL = stack.apiUrl;
  // End-to-end files invite hundreds of times a (test) day; the quota has tests of its own.
  process.env.INVITATION_QUOTA_PER_DAY ??= '100000';
  resetConfig();
  const clock = movableClock();
  useClock(clock);
  return {
    stack,
    clock,
    partnerToken: (partnerId, shape) => signToken(stack.keys, { kind: 'partner', partnerId }, { shape }),
    customerToken: (customerDomain, shape) => signToken(stack.keys, { kind: 'customer', customerDomain }, { shape }),
    customerAdmin: async (email, password) => ({ email, password: await addCustomerAdmin(dataDir, email, password) }),
    api: async (method, path, options = {}) => {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
          ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, headers: response.headers, text, json: type.includes('json') && text !== '' ? (JSON.parse(text) as Record<string, any>) : undefined };
    },
    contractViolations: () => [...contract.violations],
    stop: async () => {
      useClock(undefined);
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
      contract.assertClean();
    },
  };
}
