/**
 * The outbox relay: audit records arrive on the table's stream and go to EventBridge, so an event
 * is published only for a transition that committed, and a failed publish is retried, not lost.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchItemFailure, DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod';
import { AUDIT_EVENT_TYPES, detailType, storedActorSchema, type AuditEvent } from '../audit/model.js';
import { localCredentials } from '../data/client.js';
import { retireOnClientSideFailure } from '../sdk-clients.js';
import { logger } from '../log.js';
import { traced } from '../tracer.js';
import { decodeStreamImage, StreamImageError } from './stream.js';

/** The `source` of every event this product publishes. */
export const EVENT_SOURCE = 'partner-relationships';

/** PutEvents takes at most ten entries per call. */
export const PUT_EVENTS_BATCH = 10;

const optional = (name: string) => (process.env[name] === undefined || process.env[name] === '' ? undefined : process.env[name]);

let client: { eventBridge: EventBridgeClient; busName: string } | undefined;

/** The shared EventBridge client and the bus it publishes to (`EVENT_BUS_NAME`, default `default`); locally it points at `EVENTBRIDGE_ENDPOINT`. */
export function eventBridge(): { eventBridge: EventBridgeClient; busName: string } {
  if (client === undefined) {
    const endpoint = optional('EVENTBRIDGE_ENDPOINT');
    client = {
      eventBridge: retireOnClientSideFailure(
        traced(new EventBridgeClient(endpoint === undefined ? {} : { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: localCredentials })),
        (retired) => {
          if (client?.eventBridge === retired) client = undefined;
        },
      ),
      busName: optional('EVENT_BUS_NAME') ?? 'default',
    };
  }
  return client;
}

/** Forgets the shared client (the local stack and tests switch endpoints). */
export function resetEventBridge(): void {
  client?.eventBridge.destroy();
  client = undefined;
}

/** The fields of a stored audit item that make up an event; anything else on the item (keys, ttl) is left behind. */
const auditItem = z.object({
  type: z.literal('AUDIT'),
  eventType: z.enum(AUDIT_EVENT_TYPES),
  id: z.string().min(1),
  at: z.iso.datetime(),
  actor: storedActorSchema,
  partnerId: z.string().optional(),
  customerDomain: z.string(),
  invitationId: z.string().optional(),
  relationshipId: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The event published for an audit item. Delivery is at least once: consumers dedupe on `detail.id`,
 * which is the audit record's id and the same on every retry.
 */
function toEventEntry(item: Record<string, unknown>, busName: string): PutEventsRequestEntry {
  const audit = auditItem.parse(item);
  const detail = {
    id: audit.id,
    type: audit.eventType,
    at: audit.at,
    actor: audit.actor,
    partnerId: audit.partnerId,
    customerDomain: audit.customerDomain,
    invitationId: audit.invitationId,
    relationshipId: audit.relationshipId,
    details: audit.details,
  } satisfies AuditEvent;
  return {
    Source: EVENT_SOURCE,
    DetailType: detailType(audit.eventType),
    Detail: JSON.stringify(detail),
    Time: new Date(audit.at),
    Resources: [],
    EventBusName: busName,
  };
}

/** Whether a stream record is a newly written audit item, the only kind that is published. */
export function isAuditInsert(record: DynamoDBRecord): boolean {
  return record.eventName === 'INSERT' && record.dynamodb?.NewImage?.type?.S === 'AUDIT';
}

/**
 * Publishes the audit inserts among `records` (in stream order, ten per PutEvents call) and answers
 * Lambda's partial-batch contract: from the first record that could not be published on, every
 * record is reported, so the stream is retried from there and nothing after it is skipped. Delivery is
 * therefore at least once: consumers dedupe on the event's `detail.id`, the audit record's id.
 */
export async function publishAuditRecords(records: readonly DynamoDBRecord[]): Promise<DynamoDBBatchResponse> {
  const { eventBridge: events, busName } = eventBridge();
  const pending = records.flatMap((record, index) => (isAuditInsert(record) ? [{ record, index }] : []));
  let firstFailed: number | undefined;
  let published = 0;

  for (let start = 0; start < pending.length && firstFailed === undefined; start += PUT_EVENTS_BATCH) {
    const batch = pending.slice(start, start + PUT_EVENTS_BATCH);
    const entries: { index: number; entry: PutEventsRequestEntry }[] = [];
    for (const { record, index } of batch) {
      try {
        entries.push({ index, entry: toEventEntry(decodeStreamImage(record.dynamodb?.NewImage), busName) });
      } catch (error) {
        logger.error('audit record cannot be published', { sequenceNumber: record.dynamodb?.SequenceNumber, error: error instanceof StreamImageError ? error.message : error instanceof Error ? error.name : 'unknown' });
        firstFailed = index;
        break;
      }
    }
    if (entries.length === 0) break;
    try {
      const result = await events.send(new PutEventsCommand({ Entries: entries.map(({ entry }) => entry) }));
      const failedCount = result.FailedEntryCount ?? 0;
      if (failedCount > 0) {
        const marked = (result.Entries ?? []).findIndex((e) => e.ErrorCode !== undefined);
        // A count without a marked entry still means something failed: retry the whole call.
        const failed = Math.max(marked, 0);
        const errorCodes = [...new Set((result.Entries ?? []).flatMap((e) => (e.ErrorCode === undefined ? [] : [e.ErrorCode])))];
        logger.warn('PutEvents failed for some entries', { failedEntryCount: failedCount, errorCodes });
        firstFailed = Math.min(firstFailed ?? Infinity, entries[failed]!.index);
        published += failed;
      } else {
        published += entries.length;
      }
    } catch (error) {
      logger.warn('PutEvents call failed', { error: error instanceof Error ? error.name : 'unknown' });
      firstFailed = Math.min(firstFailed ?? Infinity, entries[0]!.index);
    }
  }

  const batchItemFailures: DynamoDBBatchItemFailure[] =
    firstFailed === undefined
      ? []
      : records.slice(firstFailed).flatMap((record) => {
          const sequenceNumber = record.dynamodb?.SequenceNumber;
          return sequenceNumber === undefined ? [] : [{ itemIdentifier: sequenceNumber }];
        });
  logger.info('audit events published', { records: records.length, published, retry: batchItemFailures.length });
  return { batchItemFailures };
}
