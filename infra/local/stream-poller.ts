/**
 * The local stand-in for a Lambda event source mapping on the table's stream: it reads the stream
 * from DynamoDB Local and hands its function the batches its filter lets through (publish-events:
 * audit inserts; send-invitation-emails: queued emails), in order, retrying a
 * failed record as AWS does (bisecting a batch that throws) and giving up on it after the same
 * number of retries as the mapping on AWS: it then goes to the dead letters, and the stream goes on.
 */
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
import { STREAM_DELIVERY, type StreamDelivery } from '../../shared/events/stream.js';

/** A stream-triggered Lambda handler; a `batchItemFailures` answer asks for a retry from the first failed record. */
export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamPoller {
  /** Stops polling and waits for the batch in flight; safe to call more than once. */
  stop(): Promise<void>;
}

/** A record the poller gave up on, with what AWS's on-failure destination would say about it. */
export interface DeadLetter {
  readonly condition: 'RetryAttemptsExhausted';
  /** How often the record was handed to the handler and failed: the first try and every retry. */
  readonly approximateInvokeCount: number;
  readonly streamArn: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly eventID: string | undefined;
  /** The record's table keys, as the stream sends them. */
  readonly keys: Record<string, AttributeValue> | undefined;
  /** When the poller gave up on it. */
  readonly at: string;
}

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
  /** The record being retried: how often it failed on its own, and how many records a batch starting at it may hold (halved on each throw). */
  retry: { readonly sequenceNumber: string; readonly failures: number; readonly batchLimit: number } | undefined;
}

/** Polls the table's stream like Lambda's event source mapping, from its current end, and calls `handler` with the audit inserts in order. */
export async function startStreamPoller(options: {
  dynamodbEndpoint: string;
  tableName: string;
  handler: StreamHandler;
  log?: (line: string) => void;
  intervalMs?: number;
  /**
   * Where reading starts: the stream's current end (the publisher: events of an earlier run were
   * published then), or its oldest record (the sender: a job queued while the stack was down is still due).
   */
  startAt?: 'LATEST' | 'TRIM_HORIZON';
  /** What the AWS mapping's filter lets through; the publisher's (audit inserts) unless said otherwise. */
  filter?: (record: DynamoDBRecord) => boolean;
  /** The AWS mapping's batch size and retries; the publisher's unless said otherwise. */
  delivery?: StreamDelivery;
  /** Retries of a failing record after its first try; the mapping's number unless a test says otherwise. */
  retryAttempts?: number;
  /** Receives each record given up on (the stand-in's dead-letter list); it is also logged, one line each. */
  onDeadLetter?: (letter: DeadLetter) => void;
}): Promise<StreamPoller> {
  const { handler, intervalMs = 250, filter = isAuditInsert, delivery = STREAM_DELIVERY } = options;
  const retryAttempts = options.retryAttempts ?? delivery.retryAttempts;
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
        position: { type: atStart ? (options.startAt ?? 'LATEST') : 'TRIM_HORIZON' },
        iterator: undefined,
        retry: undefined,
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

  /**
   * Counts a failure of the record at `sequenceNumber`. Within the retry budget it sets the reader to
   * retry from it and answers false; past it, the record goes to the dead letters and the answer is
   * true: the caller reads on after it.
   */
  const giveUpOrRetry = (reader: ShardReader, batch: readonly DynamoDBRecord[], sequenceNumber: string): boolean => {
    const { retry } = reader;
    const same = retry?.sequenceNumber === sequenceNumber;
    const failures = (same ? retry.failures : 0) + 1;
    if (failures <= retryAttempts) {
      reader.retry = { sequenceNumber, failures, batchLimit: same ? retry.batchLimit : delivery.batchSize };
      reader.position = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber };
      reader.iterator = undefined;
      return false;
    }
    const record = batch.find((candidate) => sequenceOf(candidate) === sequenceNumber);
    const letter: DeadLetter = {
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: failures,
      streamArn,
      shardId: reader.id,
      sequenceNumber,
      eventID: record?.eventID,
      keys: record?.dynamodb?.Keys,
      at: new Date().toISOString(),
    };
    reader.retry = undefined;
    log(`stream: gave up on record ${sequenceNumber} of ${reader.id} after ${failures} tries; it is in the dead letters`);
    options.onDeadLetter?.(letter);
    return true;
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
      page = await streams.send(new GetRecordsCommand({ ShardIterator: reader.iterator, Limit: delivery.batchSize }));
    } catch (error) {
      recover(reader, 'GetRecords', error);
      return;
    }
    const records = (page.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
    let last = records.at(-1)?.dynamodb?.SequenceNumber;
    let pageDone = true;
    if (last !== undefined) {
      // What the event source mapping's filter lets through.
      let selected = records.filter(filter);
      const { retry } = reader;
      if (retry !== undefined && selected.length > retry.batchLimit && sequenceOf(selected[0]) === retry.sequenceNumber) {
        // A bisected retry: hand over the first part only, and read on after it next time.
        selected = selected.slice(0, retry.batchLimit);
        last = sequenceOf(selected.at(-1));
        pageDone = false;
      }
      if (selected.length > 0) {
        let failedAt: { sequenceNumber: string; alone: boolean } | undefined;
        try {
          const response = await handler({ Records: selected });
          const retryFrom = firstFailure(selected, response);
          if (retryFrom !== undefined) {
            problem(`stream: handler reported failures, retrying from ${retryFrom}`);
            failedAt = { sequenceNumber: retryFrom, alone: true };
          }
        } catch (error) {
          problem(`stream: handler failed on ${selected.length} record(s) (${errorName(error)}), retrying`);
          // As on AWS with bisectBatchOnError: a throwing batch is halved until the record that throws is alone.
          failedAt = { sequenceNumber: sequenceOf(selected[0]), alone: selected.length === 1 };
          if (!failedAt.alone) {
            const failures = retry?.sequenceNumber === failedAt.sequenceNumber ? retry.failures : 0;
            reader.retry = { sequenceNumber: failedAt.sequenceNumber, failures, batchLimit: Math.ceil(selected.length / 2) };
          }
        }
        if (failedAt !== undefined) {
          if (!failedAt.alone) {
            reader.position = { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: failedAt.sequenceNumber };
            reader.iterator = undefined;
            return;
          }
          if (!giveUpOrRetry(reader, selected, failedAt.sequenceNumber)) return;
          // Given up on: read on after it.
          last = failedAt.sequenceNumber;
          pageDone = false;
        } else {
          reader.retry = undefined;
        }
      }
      reader.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last };
      if (!pageDone) {
        reader.iterator = undefined;
        return;
      }
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

function sequenceOf(record: DynamoDBRecord | undefined): string {
  return record?.dynamodb?.SequenceNumber ?? '';
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
  // DynamoDB Local's stream sends an empty map as `{}`, where AWS sends `{"M":{}}` (empty sets do not
  // exist, and an empty list keeps its `L`): send what AWS sends.
  if (Object.keys(value).length === 0) return { M: {} };
  return value as AttributeValue;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
