/** The one DynamoDB DocumentClient of the process, created on first use. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.js';
import { traced } from '../tracer.js';
import { retireOnClientSideFailure } from '../sdk-clients.js';

let client: DynamoDBDocumentClient | undefined;
let base: DynamoDBClient | undefined;

/** The shared DocumentClient, rebuilt after a client-side failure; locally it points at `DYNAMODB_ENDPOINT`. */
export function db(): DynamoDBDocumentClient {
  if (client === undefined) {
    const { dynamodbEndpoint } = config();
    base = traced(
      new DynamoDBClient(
      dynamodbEndpoint === undefined
        ? {}
        : { endpoint: dynamodbEndpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials },
      ),
    );
    client = retireOnClientSideFailure(
      DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } }),
      forgetDb,
    );
  }
  return client;
}

/**
 * The plain DynamoDB client under `db()`: the same connections, tracing and retirement, for a
 * library that takes a client of its own (Powertools idempotency). A new one after each retirement.
 */
export function dynamodbClient(): DynamoDBClient {
  db();
  return base!;
}

const forgetDb = (retired: DynamoDBDocumentClient) => {
  if (client === retired) client = undefined;
};

/** Forgets the shared client (the local stack and tests switch endpoints). */
export function resetDb(): void {
  client?.destroy();
  client = undefined;
  base = undefined;
}

export const tableName = (): string => config().tableName;

/** DynamoDB Local and the SES stand-in accept any credentials. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
