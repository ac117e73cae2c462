/** Events as AWS hands them to a function: API Gateway v2 requests, and the table stream's audit records. */
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { db, tableName } from '../../shared/data/client.js';
import { customerAuditPartition } from '../../shared/data/keys.js';
import type { ApiEvent } from '../../shared/http/handler.js';
import type { JwtClaims } from '../../shared/identity/caller.js';

/** An event for `method path`, with verified claims when `claims` is given (`claimsFor` shapes them as a token would carry them). */
export function apiEvent(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; claims?: JwtClaims; pathParameters?: Record<string, string> } = {},
): ApiEvent {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    pathParameters: options.pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(options.claims === undefined ? {} : { authorizer: { jwt: { claims: { token_use: 'access', ...options.claims } } } }),
    },
  } as ApiEvent;
}

/** The same Lambda context the local gateway gives a function. */
export { invoke, lambdaContext } from '../../infra/local/invoke.js';

let sequence = 0;

/** The audit items stored about a customer, oldest first, as the INSERT records the table's stream would carry. */
export async function auditInserts(customer: string): Promise<DynamoDBRecord[]> {
  const { Items = [] } = await db().send(
    new QueryCommand({ TableName: tableName(), IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': customerAuditPartition(customer) } }),
  );
  return Items.map((item) => ({
    eventID: randomUUID(),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: { NewImage: marshall(item) as never, SequenceNumber: String(++sequence).padStart(21, '0'), StreamViewType: 'NEW_IMAGE' },
  }));
}
