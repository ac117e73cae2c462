/** What the table itself sees: items as DynamoDB stores them, and the key of every write the service sends. */
import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { config } from '../../shared/config.js';
import { db, localCredentials, tableName } from '../../shared/data/client.js';

let raw: { endpoint: string; client: DynamoDBClient } | undefined;

/** A low-level client of its own, so reading for the test is never seen by the service's client or its recorders. */
function rawClient(): DynamoDBClient {
  const endpoint = config().dynamodbEndpoint;
  if (endpoint === undefined) throw new Error('The tests run against DynamoDB Local: DYNAMODB_ENDPOINT is not set');
  if (raw?.endpoint !== endpoint) {
    raw?.client.destroy();
    raw = { endpoint, client: new DynamoDBClient({ endpoint, region: 'local', credentials: localCredentials }) };
  }
  return raw.client;
}

/**
 * The item under `key` exactly as DynamoDB returns it (the marshalled attribute map, as JSON,
 * read strongly consistent), or `null` when there is none. Equal strings mean byte-for-byte
 * equal items.
 */
export async function rawItem(key: { PK: string; SK: string }): Promise<string | null> {
  const { Item } = await rawClient().send(
    new GetItemCommand({ TableName: tableName(), Key: { PK: { S: key.PK }, SK: { S: key.SK } }, ConsistentRead: true }),
  );
  return Item === undefined ? null : JSON.stringify(Item);
}

/** Several items at once, marshalled as stored (one strongly consistent batch), by `"<PK> <SK>"`; `null` where there is none. */
export async function rawItems(keys: readonly { PK: string; SK: string }[]): Promise<Record<string, string | null>> {
  const id = (key: { PK: string; SK: string }) => `${key.PK} ${key.SK}`;
  const unique = [...new Map(keys.map((key) => [id(key), key])).values()];
  const found: Record<string, string | null> = Object.fromEntries(unique.map((key) => [id(key), null]));
  const pending: Record<string, any>[] = unique.map((key) => ({ PK: { S: key.PK }, SK: { S: key.SK } }));
  while (pending.length > 0) {
    const { Responses, UnprocessedKeys } = await rawClient().send(
      new BatchGetItemCommand({ RequestItems: { [tableName()]: { Keys: pending.splice(0, 100), ConsistentRead: true } } }),
    );
    for (const item of Responses?.[tableName()] ?? []) found[`${item.PK?.S} ${item.SK?.S}`] = JSON.stringify(item);
    pending.push(...(UnprocessedKeys?.[tableName()]?.Keys ?? []));
  }
  return found;
}

/** One item-level operation of a request: a write, or a condition check inside a transaction. */
export interface RecordedWrite {
  /** The wire operation the item belongs to: `TransactWriteItems`, `UpdateItem`, `PutItem`, ... */
  readonly operation: string;
  /** Counts requests, so the items of one transaction share it. */
  readonly request: number;
  readonly kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  readonly PK: string;
  readonly SK: string;
}

type AttributeMap = Record<string, { S?: string } | undefined>;
const keyOf = (map: AttributeMap | undefined) => ({ PK: map?.PK?.S ?? '?', SK: map?.SK?.S ?? '?' });

/** The item-level operations of one DynamoDB JSON request body. */
function itemsOf(operation: string, body: Record<string, any>): Omit<RecordedWrite, 'operation' | 'request'>[] {
  switch (operation) {
    case 'PutItem':
      return [{ kind: 'Put', ...keyOf(body.Item) }];
    case 'UpdateItem':
      return [{ kind: 'Update', ...keyOf(body.Key) }];
    case 'DeleteItem':
      return [{ kind: 'Delete', ...keyOf(body.Key) }];
    case 'TransactWriteItems':
      if (!Array.isArray(body.TransactItems)) throw new Error('recordTableWrites could not read a TransactWriteItems request');
      return (body.TransactItems as Record<string, any>[]).map((item) => {
        if (item.Put !== undefined) return { kind: 'Put' as const, ...keyOf(item.Put.Item) };
        if (item.Update !== undefined) return { kind: 'Update' as const, ...keyOf(item.Update.Key) };
        if (item.Delete !== undefined) return { kind: 'Delete' as const, ...keyOf(item.Delete.Key) };
        return { kind: 'ConditionCheck' as const, ...keyOf(item.ConditionCheck?.Key) };
      });
    case 'BatchWriteItem':
      return Object.values(body.RequestItems as Record<string, Record<string, any>[]>).flatMap((requests) =>
        requests.map((request) =>
          request.PutRequest !== undefined ? { kind: 'Put' as const, ...keyOf(request.PutRequest.Item) } : { kind: 'Delete' as const, ...keyOf(request.DeleteRequest?.Key) },
        ),
      );
    default:
      return [];
  }
}

/**
 * Records the key of every item the service's DynamoDB client writes or condition-checks from
 * now on (inside transactions too), read from the request as it goes on the wire, so nothing the
 * service does can slip past it.
 */
export function recordTableWrites(): { writes: RecordedWrite[]; reset(): void; stop(): void } {
  const writes: RecordedWrite[] = [];
  const name = `record-writes-${randomUUID()}`;
  let requests = 0;
  const middleware = (next: (args: any) => Promise<unknown>) => async (args: any) => {
    const target = String(args.request?.headers?.['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    const raw: unknown = args.request?.body;
    const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : '';
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, any>);
    const request = ++requests;
    for (const item of itemsOf(operation, body)) writes.push({ operation, request, ...item });
    return next(args);
  };
  const client = db();
  client.middlewareStack.add(middleware as never, { step: 'finalizeRequest', name });
  return {
    writes,
    reset: () => {
      writes.length = 0;
    },
    stop: () => {
      client.middlewareStack.remove(name);
    },
  };
}
