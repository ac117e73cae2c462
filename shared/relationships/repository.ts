/** Relationship items: conditions that keep one active relationship per pair, and the partner's listing. */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionRefused, transactWrite, type TransactItem } from '../data/transactions.js';
import { db, tableName } from '../data/client.js';
import { decodeCursor, encodeCursor } from '../data/cursor.js';
import { PARTNER_PREFIX, RELATIONSHIP_SK_PREFIX, customerPartition, expiryKey, partnerPartition, relationshipCustomerViewKey, relationshipKey } from '../data/keys.js';
import type { Relationship } from './model.js';

/** Condition that holds while the pair has no relationship that is active as of `:now`. */
export const NO_ACTIVE_RELATIONSHIP =
  'attribute_not_exists(PK) OR #status <> :active OR (endsAt <= :now AND autoExtend = :false)';
const noActiveValues = (at: string) => ({ ':active': 'ACTIVE', ':now': at, ':false': false });

/** A transaction item that fails (as RELATIONSHIP_EXISTS) when the pair already works together. */
export function checkNoActiveRelationship(partnerId: string, customerDomain: string, at: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: relationshipKey(partnerId, customerDomain),
      ConditionExpression: NO_ACTIVE_RELATIONSHIP,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: noActiveValues(at),
    },
  };
}

/** A transaction item that writes a new active relationship, refused while another one is active. */
export function putRelationship(relationship: Relationship, at: string): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...relationshipKey(relationship.partnerId, relationship.customerDomain),
        ...relationshipCustomerViewKey(relationship.partnerId, relationship.customerDomain),
        ...expiryKey('RELATIONSHIP', relationship.id, relationship.endsAt),
        type: 'RELATIONSHIP',
        ...relationship,
      },
      ConditionExpression: NO_ACTIVE_RELATIONSHIP,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: noActiveValues(at),
    },
  };
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
      return { expression: '#status = :active AND (endsAt > :now OR autoExtend = :true)', values: { ':active': 'ACTIVE', ':now': at, ':true': true } };
    case 'EXPIRED':
      return {
        expression: '#status = :expired OR (#status = :active AND endsAt <= :now AND autoExtend = :false)',
        values: { ':expired': 'EXPIRED', ':active': 'ACTIVE', ':now': at, ':false': false },
      };
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
  try {
    await transactWrite([
      {
        Update: {
          TableName: tableName(),
          Key: relationshipKey(partnerId, customerDomain),
          UpdateExpression: 'SET #status = :terminated, terminatedAt = :now, terminatedBy = :by REMOVE GSI2PK, GSI2SK',
          ConditionExpression: '#status = :active AND (endsAt > :now OR autoExtend = :true)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':terminated': 'TERMINATED', ':active': 'ACTIVE', ':now': at, ':by': by, ':true': true },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      audit,
    ]);
    return undefined;
  } catch (error) {
    const failure = error instanceof TransactionRefused ? error.firstConditionFailure() : undefined;
    if (failure?.index !== 0) throw error;
    return { current: failure.item };
  }
}

/** One relationship item, read strongly consistent (after a write, for the answer). */
export async function findRelationship(partnerId: string, customerDomain: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: relationshipKey(partnerId, customerDomain), ConsistentRead: true }));
  return Item;
}
