/**
 * The scheduled job: walks the sparse expiry index (never the table) up to now, expires
 * overdue pending invitations and ends or extends relationships that reached `endsAt`. Every
 * change is conditional and carries its audit record, so two runs at once change each item once; the cost grows with the
 * overdue work, not with the table.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, now } from '../clock.js';
import { db, tableName } from '../data/client.js';
import { EXPIRY_SHARDS, expiryKey, expiryPartition, expiryUpperBound, invitationKey } from '../data/keys.js';
import { logger } from '../log.js';
import { countMetric } from '../metrics.js';
import { AUTO_EXTEND_DAYS } from '../relationships/model.js';
import { closedTtl } from '../invitations/model.js';
import { TTL_ATTRIBUTE } from '../data/table.js';
import { TransactionRefused, transactWrite, type TransactItem, type TransactionItem } from '../data/transactions.js';
import { putAudit } from '../audit/repository.js';
import { expireRelationship } from '../relationships/repository.js';
import { notifyExpired, notifyRequestExpired } from '../notices/service.js';
import type { AuditEventType } from '../audit/model.js';

export interface CleanupReport {
  readonly at: string;
  readonly expiredInvitations: string[];
  readonly expiredRelationships: string[];
  readonly extendedRelationships: string[];
  /** Entries another run (or the customer) changed first. */
  readonly skipped: number;
}

type Entry = Record<string, unknown> & { PK: string; SK: string };

type Outcome = 'expiredInvitations' | 'expiredRelationships' | 'extendedRelationships' | 'skipped';

/** Runs one pass over every shard of the expiry index. */
export async function runCleanup(): Promise<CleanupReport> {
  const at = now().toISOString();
  const report = { at, expiredInvitations: [] as string[], expiredRelationships: [] as string[], extendedRelationships: [] as string[], skipped: 0 };
  await Promise.all(
    Array.from({ length: EXPIRY_SHARDS }, async (_, shard) => {
      for await (const entry of dueEntries(shard, at)) {
        const outcome = await settle(entry, at);
        if (outcome === 'skipped') report.skipped++;
        else report[outcome].push(String(entry.id));
      }
    }),
  );
  countMetric('InvitationsExpired', report.expiredInvitations.length);
  const changed = report.expiredInvitations.length + report.expiredRelationships.length + report.extendedRelationships.length;
  // A run with nothing to do is the common case: keep it out of the logs unless debugging.
  logger[changed + report.skipped > 0 ? 'info' : 'debug']('Cleanup finished', {
    expiredInvitations: report.expiredInvitations.length,
    expiredRelationships: report.expiredRelationships.length,
    extendedRelationships: report.extendedRelationships.length,
    skipped: report.skipped,
  });
  return report;
}

async function* dueEntries(shard: number, at: string): AsyncGenerator<Entry> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :shard AND GSI2SK < :bound',
        ExpressionAttributeValues: { ':shard': expiryPartition(shard), ':bound': expiryUpperBound(at) },
        ExclusiveStartKey: startKey,
        Limit: 100,
      }),
    );
    for (const item of page.Items ?? []) yield item as Entry;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** Applies the one change an overdue entry needs; 'skipped' when its condition says it is no longer due. */
async function settle(entry: Entry, at: string): Promise<Outcome> {
  try {
    if (entry.type === 'INVITATION') {
      await expireInvitation(entry, at);
      // The index entry carries what the notice says (no read of the item).
      await notifyRequestExpired({ id: String(entry.id), partnerId: String(entry.partnerId), customerDomain: String(entry.customerDomain), expiresAt: String(entry.expiresAt) });
      return 'expiredInvitations';
    }
    if (entry.type === 'RELATIONSHIP' && entry.autoExtend === true) {
      await extendRelationship(entry, at);
      return 'extendedRelationships';
    }
    if (entry.type === 'RELATIONSHIP') {
      const relationship = { id: String(entry.id), partnerId: String(entry.partnerId), customerDomain: String(entry.customerDomain), endsAt: String(entry.endsAt) };
      await transactWrite(expireRelationship(relationship, at));
      await notifyExpired(relationship);
      return 'expiredRelationships';
    }
    logger.warn('Unknown entry in the expiry index', { type: String(entry.type) });
    return 'skipped';
  } catch (error) {
    if (error instanceof TransactionRefused) return 'skipped';
    throw error;
  }
}

const systemAudit = (entry: Entry, type: AuditEventType, at: string, details?: Record<string, unknown>) =>
  putAudit({
    type,
    at,
    actor: { kind: 'system' },
    partnerId: String(entry.partnerId),
    customerDomain: String(entry.customerDomain),
    ...(entry.type === 'INVITATION' ? { invitationId: String(entry.id) } : { relationshipId: String(entry.id) }),
    ...(details === undefined ? {} : { details }),
  });

/** The one refusal of a cleanup change: another run (or the customer, or a resend) changed the item first, so it is no longer due. */
const notDue = (item: TransactItem): TransactionItem<'NOT_DUE'> => ({ item, refusal: 'NOT_DUE' });

/**
 * Only the invitation changes (with its audit record): its pending guard stops blocking the pair
 * at `expiresAt` by its own condition, and TTL removes it later. Deleting it here would race a
 * newer invitation's guard.
 */
async function expireInvitation(entry: Entry, at: string): Promise<void> {
  await transactWrite([
    notDue({
      Update: {
        TableName: tableName(),
        Key: invitationKey(String(entry.id)),
        UpdateExpression: 'SET #status = :expired, closedAt = :now, #ttl = :ttl REMOVE GSI2PK, GSI2SK',
        ConditionExpression: '#status = :pending AND expiresAt <= :now',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':expired': 'EXPIRED',
          ':pending': 'PENDING',
          ':now': at,
          ':ttl': closedTtl(new Date(at)),
        },
      },
    }),
    { item: systemAudit(entry, 'InvitationExpired', at) },
  ]);
}

async function extendRelationship(entry: Entry, at: string): Promise<void> {
  const endsAt = String(entry.endsAt);
  const newEnd = addDays(new Date(endsAt), AUTO_EXTEND_DAYS).toISOString();
  const { GSI2PK, GSI2SK } = expiryKey('RELATIONSHIP', String(entry.id), newEnd);
  await transactWrite([
    notDue({
      Update: {
        TableName: tableName(),
        Key: { PK: entry.PK, SK: entry.SK },
        UpdateExpression: 'SET endsAt = :newEnd, GSI2PK = :gsi2pk, GSI2SK = :gsi2sk',
        ConditionExpression: '#status = :active AND endsAt = :endsAt AND autoExtend = :true AND id = :id',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':newEnd': newEnd, ':gsi2pk': GSI2PK, ':gsi2sk': GSI2SK, ':active': 'ACTIVE', ':endsAt': endsAt, ':true': true, ':id': entry.id },
      },
    }),
    { item: systemAudit(entry, 'RelationshipExtended', at, { previousEndsAt: endsAt, endsAt: newEnd }) },
  ]);
}
