/** Relationship items: every write of them, the conditions that keep one active relationship per pair, and the listings. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { refusalOf, transactWrite, type TransactItem, type TransactionItem } from '../data/transactions.js';
import { db, tableName } from '../data/client.js';
import { decodeCursor, encodeCursor } from '../data/cursor.js';
import { PARTNER_PREFIX, RELATIONSHIP_SK_PREFIX, customerPartition, partnerPartition, relationshipCustomerViewKey, relationshipKey, scheduleKey } from '../data/keys.js';
import { putAudit } from '../audit/repository.js';
import { effectiveRelationshipStatus, toRelationshipView, type Relationship } from './model.js';

/**
 * The one definition of "active as of `:now`" in conditions: stored ACTIVE and not past its end,
 * or auto-extending (the schedule extends it, so it is active until someone ends it). Creating,
 * accepting, ending and the listings all use it; `effectiveRelationshipStatus` says the same in code.
 */
const activeAsOf = (at: string) => ({
  expression: '(#status = :active AND (endsAt > :now OR autoExtend = :true))',
  values: { ':active': 'ACTIVE', ':now': at, ':true': true },
});

/** Expired by time but not closed yet: stored ACTIVE, past its end, not auto-extending (the schedule, or an accept, closes it). */
const overdueAsOf = (at: string) => ({
  expression: '(#status = :active AND endsAt <= :now AND autoExtend = :false)',
  values: { ':active': 'ACTIVE', ':now': at, ':false': false },
});

/** A transaction item that fails (as RELATIONSHIP_EXISTS) when the pair already works together. */
export function checkNoActiveRelationship(partnerId: string, customerDomain: string, at: string): TransactionItem<'RELATIONSHIP_EXISTS'> {
  const active = activeAsOf(at);
  return {
    refusal: 'RELATIONSHIP_EXISTS',
    item: {
      ConditionCheck: {
        TableName: tableName(),
        Key: relationshipKey(partnerId, customerDomain),
        ConditionExpression: `attribute_not_exists(PK) OR NOT ${active.expression}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: active.values,
      },
    },
  };
}

/** What a relationship that expires by time is known by, in the expiry index and in its stored item alike. */
export type ExpiringRelationship = Pick<Relationship, 'id' | 'partnerId' | 'customerDomain' | 'endsAt'>;

/** The audit record of a relationship that expired by time: the one shape the schedule and an accept that replaces it write. */
function expiredAudit(relationship: ExpiringRelationship, at: string): TransactionItem<never> {
  return {
    item: putAudit({
      type: 'RelationshipExpired',
      at,
      actor: { kind: 'system' },
      partnerId: relationship.partnerId,
      customerDomain: relationship.customerDomain,
      relationshipId: relationship.id,
      details: { endsAt: relationship.endsAt },
    }),
  };
}

/**
 * Closes an overdue relationship (status EXPIRED, out of the expiry index) with its audit record;
 * refused as NOT_DUE when it is no longer that relationship, or no longer overdue.
 */
export function expireRelationship(relationship: ExpiringRelationship, at: string): TransactionItem<'NOT_DUE'>[] {
  const overdue = overdueAsOf(at);
  return [
    {
      refusal: 'NOT_DUE',
      item: {
        Update: {
          TableName: tableName(),
          Key: relationshipKey(relationship.partnerId, relationship.customerDomain),
          UpdateExpression: 'SET #status = :expired, expiredAt = :now REMOVE GSI2PK, GSI2SK',
          ConditionExpression: `${overdue.expression} AND id = :id`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...overdue.values, ':expired': 'EXPIRED', ':id': relationship.id },
        },
      },
    },
    expiredAudit(relationship, at),
  ];
}

/**
 * Writes the new active relationship of an accept over the pair's item, conditioned on that item
 * being exactly what the accept read (`previous`, or none) and not active as of now. An overdue
 * previous one is closed by the same transaction: its RelationshipExpired record (the one the
 * schedule would write) keeps its history, since the new relationship takes its key. Refused as
 * RELATIONSHIP, with the item as stored, when the pair's item is not what was read or is active.
 */
export function replaceRelationship(relationship: Relationship, previous: Relationship | undefined, at: string): TransactionItem<'RELATIONSHIP'>[] {
  const active = activeAsOf(at);
  const asRead =
    previous === undefined
      ? { expression: 'attribute_not_exists(PK)', values: {} }
      : {
          expression: 'id = :previousId AND #status = :previousStatus AND endsAt = :previousEndsAt',
          values: { ':previousId': previous.id, ':previousStatus': previous.status, ':previousEndsAt': previous.endsAt },
        };
  const put: TransactionItem<'RELATIONSHIP'> = {
    refusal: 'RELATIONSHIP',
    item: {
      Put: {
        TableName: tableName(),
        Item: {
          ...relationshipKey(relationship.partnerId, relationship.customerDomain),
          ...relationshipCustomerViewKey(relationship.partnerId, relationship.customerDomain),
          ...scheduleKey({ kind: 'RELATIONSHIP', end: relationship.endsAt, autoExtend: relationship.autoExtend }, relationship.id, new Date(at)),
          type: 'RELATIONSHIP',
          ...relationship,
        },
        ConditionExpression: `${asRead.expression} AND NOT ${active.expression}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...active.values, ...asRead.values },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
  return closesOverdue(previous, at) ? [put, expiredAudit(previous, at)] : [put];
}

/** True when an accept written over `previous` at `at` also closes it as expired (it was stored ACTIVE but overdue). */
export function closesOverdue(previous: Relationship | undefined, at: string): previous is Relationship {
  return previous !== undefined && previous.status === 'ACTIVE' && effectiveRelationshipStatus(previous, new Date(at)) === 'EXPIRED';
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** One page of a partner's relationships, in customer-domain order: one query. */
export async function queryPartnerRelationships(
  partnerId: string,
  options: { limit: number; cursor?: string; status?: string; at: string },
): Promise<Page<Record<string, unknown>>> {
  const PK = partnerPartition(partnerId);
  const startKey = decodeCursor(options.cursor, { PK, SK: { prefix: RELATIONSHIP_SK_PREFIX } });
  const filter = statusFilter(options.status, options.at);
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': PK, ':prefix': RELATIONSHIP_SK_PREFIX, ...filter?.values },
      ...(filter === undefined ? {} : { FilterExpression: filter.expression, ExpressionAttributeNames: { '#status': 'status' } }),
      ExclusiveStartKey: startKey,
      Limit: options.limit,
    }),
  );
  return { items: result.Items ?? [], nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** The stored status alone is not the truth after `endsAt`: the filter applies the same rule as the view. */
function statusFilter(status: string | undefined, at: string) {
  switch (status) {
    case undefined:
      return undefined;
    case 'ACTIVE':
      return activeAsOf(at);
    case 'EXPIRED': {
      const overdue = overdueAsOf(at);
      return { expression: `#status = :expired OR ${overdue.expression}`, values: { ...overdue.values, ':expired': 'EXPIRED' } };
    }
    default:
      return { expression: '#status = :status', values: { ':status': status } };
  }
}

/** One page of a customer's relationships (its partners), through GSI1: one query. */
export async function queryCustomerRelationships(
  customerDomain: string,
  options: { limit: number; cursor?: string; status?: string; at: string },
): Promise<Page<Record<string, unknown>>> {
  const GSI1PK = customerPartition(customerDomain);
  const filter = statusFilter(options.status, options.at);
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
      ExpressionAttributeValues: { ':pk': GSI1PK, ':prefix': PARTNER_PREFIX, ...filter?.values },
      ...(filter === undefined ? {} : { FilterExpression: filter.expression, ExpressionAttributeNames: { '#status': 'status' } }),
      ExclusiveStartKey: decodeCursor(options.cursor, {
        GSI1PK,
        GSI1SK: { prefix: PARTNER_PREFIX },
        PK: { prefix: PARTNER_PREFIX },
        SK: { prefix: RELATIONSHIP_SK_PREFIX },
      }),
      Limit: options.limit,
    }),
  );
  return { items: result.Items ?? [], nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** Every relationship of the customer active as of `at`: one GSI1 query per 100 partners (a customer has few). */
export async function queryActiveCustomerRelationships(customerDomain: string, at: Date): Promise<Relationship[]> {
  const all: Relationship[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryCustomerRelationships(customerDomain, { limit: 100, cursor, status: 'ACTIVE', at: at.toISOString() });
    all.push(...page.items.map((item) => toRelationshipView(item, at)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

/**
 * Ends an active relationship and records who ended it, with the audit record, in one
 * transaction. Undefined when it ended; otherwise the item as it is (or undefined item: none).
 */
export async function terminateRelationship(
  partnerId: string,
  customerDomain: string,
  by: 'partner' | 'customer',
  at: string,
  audit: TransactItem,
): Promise<{ current: Record<string, unknown> | undefined } | undefined> {
  const active = activeAsOf(at);
  const items: TransactionItem<'NOT_ACTIVE'>[] = [
    {
      refusal: 'NOT_ACTIVE',
      item: {
        Update: {
          TableName: tableName(),
          Key: relationshipKey(partnerId, customerDomain),
          UpdateExpression: 'SET #status = :terminated, terminatedAt = :now, terminatedBy = :by REMOVE GSI2PK, GSI2SK',
          ConditionExpression: active.expression,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...active.values, ':terminated': 'TERMINATED', ':by': by },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
    { item: audit },
  ];
  try {
    await transactWrite(items);
    return undefined;
  } catch (error) {
    return { current: refusalOf(error, items).item };
  }
}

/** One relationship item, read strongly consistent (after a write, for the answer). */
export async function findRelationship(partnerId: string, customerDomain: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: relationshipKey(partnerId, customerDomain), ConsistentRead: true }));
  return Item;
}
