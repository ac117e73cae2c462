/**
 * The scheduled job: walks the sparse expiry index (never the table) up to now. Each entry sits at
 * its item's next point (shared/domain/schedule.ts): a reminder of a pending invitation (queued
 * for the email sender), a notice that a relationship ends, or the end itself, where it expires
 * overdue pending invitations and ends or extends relationships. Every change is conditional on
 * the entry still saying that point is due, moves it to the next point and carries its audit
 * record, so two runs at once handle each point once (a notice is claimed before it is sent);
 * the cost grows with the due work, not with the table.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, newId, now } from '../clock.js';
import { db, tableName } from '../data/client.js';
import { EXPIRY_SHARDS, expiryPartition, expiryUpperBound, invitationKey, scheduleKey } from '../data/keys.js';
import { dueAt, type DuePoint, type Scheduled } from '../domain/schedule.js';
import { logger } from '../log.js';
import { countMetric } from '../metrics.js';
import { AUTO_EXTEND_DAYS } from '../relationships/model.js';
import { closedTtl, queuedEmail, type EmailStatus } from '../invitations/model.js';
import { TTL_ATTRIBUTE } from '../data/table.js';
import { TransactionRefused, transactWrite, type TransactItem, type TransactionItem } from '../data/transactions.js';
import { putAudit } from '../audit/repository.js';
import { expireRelationship } from '../relationships/repository.js';
import { notifyEnding, notifyExpired, notifyRequestExpired } from '../notices/service.js';
import type { AuditEventType } from '../audit/model.js';

/** One notice a run handled: the invitation or relationship, and how many days before its end. */
export interface HandledNotice {
  readonly id: string;
  readonly daysBefore: number;
}

export interface CleanupReport {
  readonly at: string;
  readonly expiredInvitations: string[];
  readonly expiredRelationships: string[];
  readonly extendedRelationships: string[];
  /** Reminders to the customer's admin queued for the email sender. */
  readonly remindersQueued: HandledNotice[];
  /** Reminders not queued because the admin's address bounced or complained (the entry moved on all the same). */
  readonly remindersWithheld: HandledNotice[];
  /** Relationships whose partner and customer notify addresses were told they end. */
  readonly endNotices: HandledNotice[];
  /** Entries another run (or the customer) changed first. */
  readonly skipped: number;
}

type Entry = Record<string, unknown> & { PK: string; SK: string; GSI2SK: string };

type Listed = 'expiredInvitations' | 'expiredRelationships' | 'extendedRelationships';
type Noticed = 'remindersQueued' | 'remindersWithheld' | 'endNotices';
type Outcome = { readonly list: Listed } | { readonly list: Noticed; readonly daysBefore: number } | 'skipped';

/** An address that takes no mail: its reminders are withheld. */
const UNREACHABLE: readonly EmailStatus[] = ['BOUNCED', 'COMPLAINED'];

/** Runs one pass over every shard of the expiry index. */
export async function runCleanup(): Promise<CleanupReport> {
  const at = now().toISOString();
  const report = {
    at,
    expiredInvitations: [] as string[],
    expiredRelationships: [] as string[],
    extendedRelationships: [] as string[],
    remindersQueued: [] as HandledNotice[],
    remindersWithheld: [] as HandledNotice[],
    endNotices: [] as HandledNotice[],
    skipped: 0,
  };
  await Promise.all(
    Array.from({ length: EXPIRY_SHARDS }, async (_, shard) => {
      for await (const entry of dueEntries(shard, at)) {
        const outcome = await settle(entry, at);
        const id = String(entry.id);
        if (outcome === 'skipped') report.skipped++;
        else if ('daysBefore' in outcome) report[outcome.list].push({ id, daysBefore: outcome.daysBefore });
        else report[outcome.list].push(id);
      }
    }),
  );
  countMetric('InvitationsExpired', report.expiredInvitations.length);
  const changed =
    report.expiredInvitations.length +
    report.expiredRelationships.length +
    report.extendedRelationships.length +
    report.remindersQueued.length +
    report.remindersWithheld.length +
    report.endNotices.length;
  // A run with nothing to do is the common case: keep it out of the logs unless debugging.
  logger[changed + report.skipped > 0 ? 'info' : 'debug']('Cleanup finished', {
    expiredInvitations: report.expiredInvitations.length,
    expiredRelationships: report.expiredRelationships.length,
    extendedRelationships: report.extendedRelationships.length,
    remindersQueued: report.remindersQueued.length,
    remindersWithheld: report.remindersWithheld.length,
    endNotices: report.endNotices.length,
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

/** What the schedule follows of an entry: its kind and end, or undefined for an entry of no known kind. */
function scheduledOf(entry: Entry): Scheduled | undefined {
  if (entry.type === 'INVITATION') return { kind: 'INVITATION', end: String(entry.expiresAt) };
  if (entry.type === 'RELATIONSHIP') return { kind: 'RELATIONSHIP', end: String(entry.endsAt), autoExtend: entry.autoExtend === true };
  return undefined;
}

/** The relationship an index entry names, as far as the entry carries it. */
const relationshipOf = (entry: Entry) => ({ id: String(entry.id), partnerId: String(entry.partnerId), customerDomain: String(entry.customerDomain), endsAt: String(entry.endsAt) });

/** Handles the one point of an entry due now (a notice, or the end); 'skipped' when its condition says it is no longer due. */
async function settle(entry: Entry, at: string): Promise<Outcome> {
  const scheduled = scheduledOf(entry);
  const due = scheduled === undefined ? undefined : dueAt(scheduled, new Date(at));
  if (scheduled === undefined || due === undefined) {
    logger.warn('Entry in the expiry index with nothing due', { type: String(entry.type) });
    return 'skipped';
  }
  try {
    if (due.daysBefore > 0) return entry.type === 'INVITATION' ? await queueReminder(entry, scheduled, due, at) : await claimEndNotice(entry, scheduled, due, at);
    if (entry.type === 'INVITATION') {
      await expireInvitation(entry, at);
      // The index entry carries what the notice says (no read of the item).
      await notifyRequestExpired({ id: String(entry.id), partnerId: String(entry.partnerId), customerDomain: String(entry.customerDomain), expiresAt: String(entry.expiresAt) });
      return { list: 'expiredInvitations' };
    }
    if (entry.autoExtend === true) {
      await extendRelationship(entry, at);
      return { list: 'extendedRelationships' };
    }
    const relationship = relationshipOf(entry);
    await transactWrite(expireRelationship(relationship, at));
    await notifyExpired(relationship);
    return { list: 'expiredRelationships' };
  } catch (error) {
    if (error instanceof TransactionRefused) return 'skipped';
    throw error;
  }
}

/**
 * Queues a reminder for the email sender (which mints the link's new secret when it sends):
 * the invitation's `email` becomes a new QUEUED job of kind REMINDER, the reminder is recorded in
 * `remindedDays` and the entry moves to the next point, all in one transaction with its audit
 * record, while the invitation is still pending, not reminded for these days, and its entry still
 * says this point. An address that bounced or complained gets no reminder; its entry moves on.
 */
async function queueReminder(entry: Entry, scheduled: Scheduled, due: DuePoint, at: string): Promise<Outcome> {
  const id = String(entry.id);
  const next = scheduleKey(scheduled, id, new Date(at)).GSI2SK;
  const email = queuedEmail('REMINDER', newId(), at);
  const pending = { ':pending': 'PENDING', ':now': at, ':entry': entry.GSI2SK, ':next': next };
  try {
    await transactWrite([
      notDue({
        Update: {
          TableName: tableName(),
          Key: invitationKey(id),
          UpdateExpression: 'SET email = :email, remindedDays = list_append(if_not_exists(remindedDays, :none), :days), GSI2SK = :next',
          ConditionExpression: `#status = :pending AND expiresAt > :now AND GSI2SK = :entry AND NOT contains(remindedDays, :day) AND NOT (email.#status IN (${UNREACHABLE.map((_, i) => `:unreachable${i}`).join(', ')}))`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...pending,
            ':email': email,
            ':none': [],
            ':days': [due.daysBefore],
            ':day': due.daysBefore,
            ...Object.fromEntries(UNREACHABLE.map((status, i) => [`:unreachable${i}`, status])),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      }),
      { item: systemAudit(entry, 'InvitationReminderQueued', at, { daysBefore: due.daysBefore, job: email.job }) },
    ]);
    return { list: 'remindersQueued', daysBefore: due.daysBefore };
  } catch (error) {
    const stored = error instanceof TransactionRefused ? (error.item as { status?: unknown; GSI2SK?: unknown; email?: { status?: EmailStatus } } | undefined) : undefined;
    const unreachable = stored?.status === 'PENDING' && stored.GSI2SK === entry.GSI2SK && UNREACHABLE.includes(stored.email?.status as EmailStatus);
    if (!unreachable) throw error;
  }
  await transactWrite([
    notDue({
      Update: {
        TableName: tableName(),
        Key: invitationKey(id),
        UpdateExpression: 'SET GSI2SK = :next',
        ConditionExpression: '#status = :pending AND expiresAt > :now AND GSI2SK = :entry',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: pending,
      },
    }),
  ]);
  logger.info('Reminder withheld: the address takes no mail', { invitationId: id, daysBefore: due.daysBefore });
  return { list: 'remindersWithheld', daysBefore: due.daysBefore };
}

/**
 * Claims a relationship's end notice by moving its entry to the next point, while it is still
 * that active relationship and its entry still says this point; only then are the partner and
 * the customer's notify addresses told, so a notice goes out at most once.
 */
async function claimEndNotice(entry: Entry, scheduled: Scheduled, due: DuePoint, at: string): Promise<Outcome> {
  const relationship = relationshipOf(entry);
  await transactWrite([
    notDue({
      Update: {
        TableName: tableName(),
        Key: { PK: entry.PK, SK: entry.SK },
        UpdateExpression: 'SET GSI2SK = :next',
        ConditionExpression: '#status = :active AND id = :id AND endsAt = :endsAt AND autoExtend = :false AND GSI2SK = :entry',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':next': scheduleKey(scheduled, relationship.id, new Date(at)).GSI2SK,
          ':active': 'ACTIVE',
          ':id': relationship.id,
          ':endsAt': relationship.endsAt,
          ':false': false,
          ':entry': entry.GSI2SK,
        },
      },
    }),
  ]);
  await notifyEnding(relationship, due.daysBefore);
  return { list: 'endNotices', daysBefore: due.daysBefore };
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
  const { GSI2PK, GSI2SK } = scheduleKey({ kind: 'RELATIONSHIP', end: newEnd, autoExtend: true }, String(entry.id), new Date(at));
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
