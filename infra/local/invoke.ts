/**
 * How the local stack invokes a function. Lambda gives each function a process of its own, but the
 * local stack runs every function in one process, several invocations at once (the gateway's
 * requests, the stream poller, the mailbox simulator). Lambda has a mode shaped exactly so, Managed
 * Instances: it sets `AWS_LAMBDA_MAX_CONCURRENCY` and runs each invocation inside its own
 * `InvokeStore` scope, where Powertools keeps what belongs to one invocation (the Lambda context
 * on log lines, temporary log keys, metric dimensions). The local stack does the same, so a log
 * line names the invocation that wrote it, never one that happened to start in between.
 *
 * Everything that invokes a function locally, the local stack and tests alike, goes through
 * `invoke`: outside an invocation there is no Lambda context to log with.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

type Scope = Record<string | symbol, unknown>;

/**
 * Lambda's multi-concurrency store, with one addition: what runs outside any invocation (the local
 * stack's own start-up and timers, a test calling a service directly) shares one process-wide scope,
 * as it would in a function's init phase, instead of failing for want of an invocation.
 */
class LocalInvokeStore extends InvokeStoreBase {
  readonly #invocations = new AsyncLocalStorage<Scope>();
  readonly #outside: Scope = {};
  getContext(): Scope {
    return this.#invocations.getStore() ?? this.#outside;
  }
  hasContext(): boolean {
    return this.#invocations.getStore() !== undefined;
  }
  get<T = unknown>(key: string | symbol): T | undefined {
    return this.getContext()[key] as T | undefined;
  }
  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    this.getContext()[key] = value;
  }
  run<T>(context: Scope, fn: () => T): T {
    return this.#invocations.run(context, fn);
  }
}

// How many invocations the one local process may run at once, as Lambda Managed Instances declares it.
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
const lambdaGlobal = globalThis as unknown as { awslambda?: { InvokeStore?: InvokeStoreBase } };
lambdaGlobal.awslambda ??= {};
lambdaGlobal.awslambda.InvokeStore ??= new LocalInvokeStore();
const store = lambdaGlobal.awslambda.InvokeStore;

/** The Lambda context a function gets locally: a name, a request id and its timeout (ten seconds unless said). */
export function lambdaContext(name: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `local:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Runs one invocation of a handler in its own scope, with the given context or a fresh one named `name`. */
export function invoke<E, R>(handler: (event: E, context: Context) => Promise<R>, event: E, context: Context | string): Promise<R> {
  const ctx = typeof context === 'string' ? lambdaContext(context) : context;
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: ctx.awsRequestId }, () => handler(event, ctx));
}
