/**
 * `Idempotency-Key` on POSTs, with Powertools idempotency over its own DynamoDB table: the same
 * key with the same body returns the first response; with another body, 409
 * IDEMPOTENCY_KEY_REUSED. Keys are scoped to the caller and the path, and expire after 24 hours.
 * Requests without the header are not affected. A request only ever completes or deletes the
 * record it created itself: a refused or replayed request leaves the original's record alone.
 */
import type middy from '@middy/core';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { config } from '../config.js';
import { dynamodbClient } from '../data/client.js';
import { ConflictError, ValidationError } from '../errors.js';
import { idempotencyScopeOf, type AuthorizedEvent } from '../identity/caller.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** What Powertools sees of a request: the key, who calls (from the one module that reads claims), where, and the body. */
interface IdempotentRequest {
  readonly key: string;
  readonly scope: string;
  readonly path: string;
  readonly body: string | undefined;
}

/** The record's key: the header scoped by who calls and where, so two callers' keys can never meet. */
const KEY_PATH = '[key, scope, path]';

/** Set in `request.internal` when this invocation saved the in-progress record, and so may complete or delete it. */
const OWNS_RECORD = 'partner-relationships.idempotency.ownsRecord';

type Middleware = Required<Pick<middy.MiddlewareObj, 'before' | 'after' | 'onError'>>;

let inner: { middleware: Middleware; client: object } | undefined;

/** Powertools' middleware over the process's one DynamoDB client (rebuilt when that client is). */
function store(): Middleware {
  const client = dynamodbClient();
  if (inner?.client !== client) {
    const { idempotencyTableName } = config();
    if (idempotencyTableName === undefined) throw new Error('Missing required environment variable IDEMPOTENCY_TABLE_NAME');
    const persistenceStore = new DynamoDBPersistenceLayer({ tableName: idempotencyTableName, awsSdkV3Client: client });
    const middleware = makeHandlerIdempotent({
      persistenceStore,
      config: new IdempotencyConfig({
        eventKeyJmesPath: KEY_PATH,
        // A POST without a body (a resend) has nothing at `body`: hash it as empty, not as undefined (a 500).
        payloadValidationJmesPath: "body || ''",
        expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
        throwOnNoIdempotencyKey: false,
      }),
    }) as Middleware;
    inner = { middleware, client };
  }
  return inner.middleware;
}

/** Forgets the store (the local stack and tests switch endpoints). */
export function resetIdempotency(): void {
  inner = undefined;
}

/**
 * The middleware of the HTTP chain, given by the functions that take the header
 * (`httpHandler({ idempotency: idempotency() })`), so no other function bundles Powertools
 * idempotency; maps Powertools' errors to the contract's codes. Powertools'
 * own `onError` deletes the record of the key, whoever created it; here only the invocation that
 * saved the in-progress record reaches it, so a refused request (409) cannot erase the original's
 * record and let the original run twice.
 */
export function idempotency(): middy.MiddlewareObj {
  const keyOf = (request: middy.Request) => (request.event as { headers?: Record<string, string | undefined> }).headers?.[IDEMPOTENCY_HEADER];
  const owns = (request: middy.Request) => (request.internal as Record<string, unknown>)[OWNS_RECORD] === true;
  return {
    before: async (request) => {
      const key = keyOf(request);
      if (key === undefined) return undefined;
      if (key.length === 0 || key.length > 255) {
        throw new ValidationError('The Idempotency-Key header must be 1 to 255 characters.', [{ path: 'Idempotency-Key', message: 'invalid length' }]);
      }
      const event = request.event as AuthorizedEvent & { rawPath: string; body?: string };
      const payload: IdempotentRequest = { key, scope: idempotencyScopeOf(event), path: event.rawPath, body: event.body };
      // Powertools keeps its state in `request.internal`, shared with this request, so after/onError see it.
      const keyed = { ...request, event: payload } as middy.Request;
      let replay: unknown;
      try {
        replay = await store().before(keyed);
      } catch (error) {
        if (error instanceof IdempotencyValidationError) {
          throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body.');
        }
        if (error instanceof IdempotencyAlreadyInProgressError) {
          throw new ConflictError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly.');
        }
        throw error;
      }
      // No stored response to replay and no error: this invocation saved the in-progress record.
      if (replay === undefined) (request.internal as Record<string, unknown>)[OWNS_RECORD] = true;
      return replay;
    },
    after: (request) => (owns(request) ? store().after(request) : undefined),
    onError: (request) => (owns(request) ? store().onError(request) : undefined),
  };
}
