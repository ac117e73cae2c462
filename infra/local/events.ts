/**
 * The local stand-in for EventBridge: enough of its JSON protocol for the SDK's PutEvents. It keeps
 * what it receives in memory, logs one line per event (ids only) and serves `GET /events`. And the
 * stream poller that plays the Lambda event source mapping: it reads the table's stream from
 * DynamoDB Local and hands the publisher its batches.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as StreamAttributeValue,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localCredentials } from '../../shared/data/client.js';
import { isAuditInsert } from '../../shared/events/publisher.js';
import { assertPortFree, type RunningService } from './processes.js';

/** One event as EventBridge would have received it. */
export interface ReceivedEvent {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  /** The parsed `Detail` JSON (the raw string if it is not JSON). */
  readonly detail: unknown;
  readonly time: string;
  readonly eventBusName: string;
  readonly resources: readonly string[];
}

export interface EventBridgeStandIn extends RunningService {
  /** `GET` it for every event received, oldest first, as JSON. */
  readonly eventsUrl: string;
  /** Every event received so far, oldest first. */
  events(): ReceivedEvent[];
  /** Makes the next `requests` PutEvents calls fail every entry (`FailedEntryCount`), as EventBridge does under throttling. */
  failNext(requests: number): void;
}

const JSON_1_1 = 'application/x-amz-json-1.1';
const MAX_BODY = 1024 * 1024;

interface RequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Time?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
}

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** Starts the EventBridge stand-in on `port` (0: any free port) on 127.0.0.1. */
export async function startEventBridgeStandIn(options: { port: number; log?: (line: string) => void }): Promise<EventBridgeStandIn> {
  await assertPortFree(options.port, 'EVENTS_PORT');
  const log = options.log ?? (() => undefined);
  const received: ReceivedEvent[] = [];
  let failing = 0;

  const putEvents = (body: { Entries?: unknown }): { FailedEntryCount: number; Entries: ResultEntry[] } => {
    const entries = Array.isArray(body.Entries) ? (body.Entries as RequestEntry[]) : [];
    if (failing > 0) {
      failing--;
      return {
        FailedEntryCount: entries.length,
        Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'Failing on purpose (failNext)' })),
      };
    }
    const results = entries.map((entry): ResultEntry => {
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      const event: ReceivedEvent = {
        eventId: randomUUID(),
        source: entry.Source,
        detailType: entry.DetailType,
        detail: parseDetail(entry.Detail),
        // The SDK sends timestamps as epoch seconds.
        time: (typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date()).toISOString(),
        eventBusName: typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default',
        resources: Array.isArray(entry.Resources) ? entry.Resources.filter((r): r is string => typeof r === 'string') : [],
      };
      received.push(event);
      const detail = event.detail as { id?: unknown } | undefined;
      log(`event: ${event.detailType} ${typeof detail?.id === 'string' ? detail.id : event.eventId}`);
      return { EventId: event.eventId };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, 500, JSON_1_1, { __type: 'InternalException', message: 'internal error' }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/events') {
      send(response, 200, 'application/json', received);
      return;
    }
    if (request.method !== 'POST' || path !== '/') {
      send(response, 404, 'application/json', { message: 'Not found: POST / (PutEvents) or GET /events' });
      return;
    }
    const target = request.headers['x-amz-target'];
    if (target !== 'AWSEvents.PutEvents') {
      send(response, 400, JSON_1_1, { __type: 'UnknownOperationException', message: `The stand-in answers AWSEvents.PutEvents only, not ${String(target)}` });
      return;
    }
    let body: { Entries?: unknown };
    try {
      body = JSON.parse(await readBody(request)) as { Entries?: unknown };
    } catch {
      send(response, 400, JSON_1_1, { __type: 'SerializationException', message: 'The request body is not JSON' });
      return;
    }
    send(response, 200, JSON_1_1, putEvents(body));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    eventsUrl: `http://localhost:${port}/events`,
    events: () => [...received],
    failNext: (requests) => {
      failing = requests;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseDetail(detail: string): unknown {
  try {
    return JSON.parse(detail);
  } catch {
    return detail;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, contentType: string, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': randomUUID() });
  response.end(text);
}

/** A stream-triggered Lambda handler; a `batchItemFailures` answer asks for a retry from the first failed record. */
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPoller {
  /** Stops polling and waits for the batch in flight; safe to call more than once. */
  stop(): Promise<void>;
}

/** Lambda's default batch size for a DynamoDB event source. */
const BATCH_SIZE = 100;
const REDESCRIBE_MS = 5_000;

type Position =
  | { readonly type: 'LATEST' | 'TRIM_HORIZON' }
  | { readonly type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; readonly sequenceNumber: string };

interface ShardReader {
  readonly id: string;
  readonly parentId: string | undefined;
  /** Where a new iterator starts: just after the last record the handler took, or at the one to retry. */
  position: Position;
  iterator: string | undefined;
}

/** Polls the table's stream like Lambda's event source mapping, from its current end, and calls `handler` with the audit inserts in order. */
export async function startStreamPoller(options: {
  dynamodbEndpoint: string;
  tableName: string;
  handler: StreamHandler;
  log?: (line: string) => void;
  intervalMs?: number;
}): Promise<StreamPoller> {
  const { handler, intervalMs = 250 } = options;
  const log = options.log ?? (() => undefined);
  const clientConfig = { endpoint: options.dynamodbEndpoint, region: 'local', credentials: localCredentials, requestHandler: { requestTimeout: 10_000 } };
  const dynamodb = new DynamoDBClient(clientConfig);
  const streams = new DynamoDBStreamsClient(clientConfig);
  const known = new Set<string>();
  const readers = new Map<string, ShardReader>();
  let streamArn = '';
  let describedAt = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  // A problem is logged when it starts, not on every poll while it lasts.
  let ongoing = new Set<string>();
  let seen = new Set<string>();
  const problem = (line: string) => {
    if (!ongoing.has(line)) log(line);
    seen.add(line);
  };

  const describe = async (atStart: boolean) => {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    for (const shard of shards) {
      if (shard.ShardId === undefined || known.has(shard.ShardId)) continue;
      known.add(shard.ShardId);
      if (atStart && shard.SequenceNumberRange?.EndingSequenceNumber !== undefined) continue;
      readers.set(shard.ShardId, {
        id: shard.ShardId,
        parentId: shard.ParentShardId,
        position: { type: atStart ? 'LATEST' : 'TRIM_HORIZON' },
        iterator: undefined,
      });
    }
    describedAt = Date.now();
  };

  const iteratorAt = async (reader: ShardReader): Promise<string | undefined> => {
    const { position } = reader;
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: reader.id,
        ShardIteratorType: position.type,
        SequenceNumber: 'sequenceNumber' in position ? position.sequenceNumber : undefined,
      }),
    );
    return ShardIterator;
  };

  /** Where to go on after a failed stream call: a new iterator when the old one expired, the shard's start when the position was trimmed. */
  const recover = (reader: ShardReader, operation: string, error: unknown) => {
    const name = errorName(error);
    problem(`stream: ${operation} failed on ${reader.id} (${name}), retrying`);
    if (name === 'ExpiredIteratorException') reader.iterator = undefined;
    if (name === 'TrimmedDataAccessException') {
      reader.position = { type: 'TRIM_HORIZON' };
      reader.iterator = undefined;
    }
    if (name === 'ResourceNotFoundException') readers.delete(reader.id);
  };

  const readShard = async (reader: ShardReader) => {
    if (reader.iterator === undefined) {
      try {
        reader.iterator = await iteratorAt(reader);
      } catch (error) {
        recover(reader, 'GetShardIterator', error);
        return;
      }
      if (reader.iterator === undefined) {
        readers.delete(reader.id);
        return;
      }
    }
    let page;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: reader.iterator, Limit: BATCH_SIZE }));
    } catch (error) {
      recover(reader, 'GetRecords', error);
      return;
    }
    const records = (page.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last !== undefined) {
      // What the event source mapping's filter (eventName INSERT, NewImage.type.S AUDIT) lets through.
      const selected = records.filter(isAuditInsert);
      if (selected.length > 0) {
        let response: DynamoDBBatchResponse | void;
        try {
          response = await handler({ Records: selected });
        } catch (error) {
          // The iterator stays where it was: the same batch again on the next poll.
          problem(`stream: handler failed on ${selected.length} record(s) (${errorName(error)}), retrying`);
          return;
        }
        const retryFrom = firstFailure(selected, response);
        if (retryFrom !== undefined) {
          problem(`stream: handler reported failures, retrying from ${retryFrom}`);
          reader.position = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: retryFrom };
          reader.iterator = undefined;
          return;
        }
      }
      reader.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last };
    }
    if (page.NextShardIterator === undefined) {
      // Closed and read to its end: its children come with the next description.
      readers.delete(reader.id);
      describedAt = 0;
      return;
    }
    reader.iterator = page.NextShardIterator;
  };

  const poll = async () => {
    if (Date.now() - describedAt >= REDESCRIBE_MS) {
      try {
        await describe(false);
      } catch (error) {
        problem(`stream: DescribeStream failed (${errorName(error)}), retrying`);
      }
    }
    for (const reader of [...readers.values()]) {
      if (stopped) break;
      // As on AWS, a child shard waits until its parent has been read to its end.
      if (reader.parentId !== undefined && readers.has(reader.parentId)) continue;
      await readShard(reader);
    }
    ongoing = seen;
    seen = new Set();
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = poll()
        .catch((error: unknown) => problem(`stream: poll failed (${errorName(error)}), retrying`))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };

  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
    if (Table?.LatestStreamArn === undefined || Table.StreamSpecification?.StreamEnabled !== true) {
      throw new Error(`Table ${options.tableName} has no stream to poll`);
    }
    streamArn = Table.LatestStreamArn;
    await describe(true);
    for (const reader of readers.values()) reader.iterator = await iteratorAt(reader);
  } catch (error) {
    dynamodb.destroy();
    streams.destroy();
    throw error;
  }
  schedule();

  return {
    stop: async () => {
      if (!stopped) {
        stopped = true;
        clearTimeout(timer);
        await inFlight;
        dynamodb.destroy();
        streams.destroy();
      }
      await inFlight;
    },
  };
}

/** The sequence number to retry from: the earliest reported failure, or the whole batch when an identifier is not one of its records (as Lambda does). */
function firstFailure(records: readonly DynamoDBRecord[], response: DynamoDBBatchResponse | void): string | undefined {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return undefined;
  const sequenceNumbers = records.map((record) => record.dynamodb?.SequenceNumber);
  const positions = failures.map((failure) => sequenceNumbers.indexOf(failure.itemIdentifier));
  return sequenceNumbers[positions.includes(-1) ? 0 : Math.min(...positions)];
}

/** A record as Lambda delivers it: epoch seconds, binary as base64, this stream's ARN and the local region. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    eventSourceARN: streamArn,
    awsRegion: 'local',
    ...(record.userIdentity === undefined ? {} : { userIdentity: record.userIdentity }),
    dynamodb:
      data === undefined
        ? undefined
        : {
            ApproximateCreationDateTime: data.ApproximateCreationDateTime === undefined ? undefined : Math.floor(data.ApproximateCreationDateTime.getTime() / 1000),
            Keys: toLambdaImage(data.Keys),
            NewImage: toLambdaImage(data.NewImage),
            OldImage: toLambdaImage(data.OldImage),
            SequenceNumber: data.SequenceNumber,
            SizeBytes: data.SizeBytes,
            StreamViewType: data.StreamViewType,
          },
  };
}

function toLambdaImage(image: Record<string, StreamAttributeValue> | undefined): Record<string, AttributeValue> | undefined {
  return image === undefined ? undefined : Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

function toLambdaValue(value: StreamAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) ?? {} };
  return value as AttributeValue;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
