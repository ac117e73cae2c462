/**
 * `Idempotency-Key` on POSTs, with Powertools idempotency over its own DynamoDB table: the same
 * key with the same body returns the first response; with another body, 409
 * IDEMPOTENCY_KEY_REUSED. Keys are scoped to the caller and the path, and expire after 24 hours.
 * Requests without the header are not affected.
 */
import type middy from '@middy/core';
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { IdempotencyAlreadyInProgressError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { config } from '../config.js';
import { localCredentials } from '../data/client.js';
import { ConflictError, ValidationError } from '../errors.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * The key: null without the header (so the request is not made idempotent), else the header
 * scoped by who calls and where, so two partners' keys can never meet.
 */
const KEY_PATH = `headers."${IDEMPOTENCY_HEADER}" && [headers."${IDEMPOTENCY_HEADER}", requestContext.authorizer.jwt.claims.partner_id, requestContext.authorizer.jwt.claims.customer_domain, rawPath]`;

type Middleware = Required<Pick<middy.MiddlewareObj, 'before' | 'after' | 'onError'>>;

let inner: Middleware | undefined;

function store(): Middleware {
  if (inner === undefined) {
    const { idempotencyTableName, dynamodbEndpoint } = config();
    if (idempotencyTableName === undefined) throw new Error('Missing required environment variable IDEMPOTENCY_TABLE_NAME');
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName: idempotencyTableName,
      ...(dynamodbEndpoint === undefined
        ? {}
        : { clientConfig: { endpoint: dynamodbEndpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials } }),
    });
    inner = makeHandlerIdempotent({
      persistenceStore,
      config: new IdempotencyConfig({
        eventKeyJmesPath: KEY_PATH,
        // A POST without a body (a resend) has nothing at `body`: hash it as empty, not as undefined (a 500).
        payloadValidationJmesPath: "body || ''",
        expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
        throwOnNoIdempotencyKey: false,
      }),
    }) as Middleware;
  }
  return inner;
}

/** Forgets the store (the local stack and tests switch endpoints). */
export function resetIdempotency(): void {
  inner = undefined;
}

/** The middleware of the HTTP chain; maps Powertools' errors to the contract's codes. */
export function idempotency(): middy.MiddlewareObj {
  const keyOf = (request: middy.Request) => (request.event as { headers?: Record<string, string | undefined> }).headers?.[IDEMPOTENCY_HEADER];
  return {
    before: async (request) => {
      const key = keyOf(request);
      if (key === undefined) return undefined;
      if (key.length === 0 || key.length > 255) {
        throw new ValidationError('The Idempotency-Key header must be 1 to 255 characters.', [{ path: 'Idempotency-Key', message: 'invalid length' }]);
      }
      try {
        return await store().before(request);
      } catch (error) {
        if (error instanceof IdempotencyValidationError) {
          throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request body.');
        }
        if (error instanceof IdempotencyAlreadyInProgressError) {
          throw new ConflictError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly.');
        }
        throw error;
      }
    },
    after: (request) => (keyOf(request) === undefined ? undefined : store().after(request)),
    onError: (request) => (keyOf(request) === undefined ? undefined : store().onError(request)),
  };
}
