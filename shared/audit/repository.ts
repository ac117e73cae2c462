/** Audit records: a transaction item for each transition, and the two listings (partner's, customer's). */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, epochSeconds, newId } from '../clock.js';
import { db, tableName } from '../data/client.js';
import { decodeCursor, encodeCursor } from '../data/cursor.js';
import { auditKey, customerAuditPartition, customerPartition, partnerPartition, AUDIT_SK_PREFIX, PARTNER_PREFIX } from '../data/keys.js';
import { TTL_ATTRIBUTE } from '../data/table.js';
import type { TransactItem } from '../data/transactions.js';
import type { Page } from '../relationships/repository.js';
import { AUDIT_RETENTION_DAYS, CUSTOMER_ONLY_EVENT_TYPES, type AuditEvent } from './model.js';

/** A transaction item that records one transition; it can only add, never overwrite. */
export function putAudit(event: Omit<AuditEvent, 'id'> & { id?: string }): TransactItem {
  const { type: eventType, ...record } = { ...event, id: event.id ?? newId() };
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...auditKey(record.partnerId, record.customerDomain, record.at, record.id),
        ...record,
        // `type` names the kind of item everywhere in the table; the transition goes in `eventType`.
        type: 'AUDIT',
        eventType,
        [TTL_ATTRIBUTE]: epochSeconds(addDays(new Date(record.at), AUDIT_RETENTION_DAYS)),
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** The stored record as the API shows it. */
export const toAuditEvent = (item: Record<string, unknown>): AuditEvent => {
  const e = item as unknown as AuditEvent & { eventType: AuditEvent['type'] };
  return {
    id: e.id,
    type: e.eventType,
    at: e.at,
    actor: e.actor,
    partnerId: e.partnerId,
    customerDomain: e.customerDomain,
    invitationId: e.invitationId,
    relationshipId: e.relationshipId,
    details: e.details,
  };
};

/** A page of the audit trail, newest first: a partner's own events, or the events about a customer. */
export async function queryAudit(
  viewer: { partnerId: string } | { customerDomain: string },
  options: { limit: number; cursor?: string },
): Promise<Page<AuditEvent>> {
  const byPartner = 'partnerId' in viewer;
  const partition = byPartner ? partnerPartition(viewer.partnerId) : customerAuditPartition(viewer.customerDomain);
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      ...(byPartner
        ? {
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
            FilterExpression: `NOT eventType IN (${CUSTOMER_ONLY_EVENT_TYPES.map((_, i) => `:hidden${i}`).join(', ')})`,
            ExpressionAttributeValues: {
              ':pk': partition,
              ':prefix': AUDIT_SK_PREFIX,
              ...Object.fromEntries(CUSTOMER_ONLY_EVENT_TYPES.map((type, i) => [`:hidden${i}`, type])),
            },
          }
        : { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition } }),
      ExclusiveStartKey: decodeCursor(
        options.cursor,
        byPartner
          ? { PK: partition, SK: { prefix: AUDIT_SK_PREFIX } }
          : // A record about this customer lives with its partner, or (without one) in the customer's own partition.
            { GSI1PK: partition, GSI1SK: { prefix: '' }, PK: { prefix: [PARTNER_PREFIX, customerPartition(viewer.customerDomain)] }, SK: { prefix: AUDIT_SK_PREFIX } },
      ),
      ScanIndexForward: false,
      Limit: options.limit,
    }),
  );
  return { items: (result.Items ?? []).map(toAuditEvent), nextCursor: encodeCursor(result.LastEvaluatedKey) };
}
