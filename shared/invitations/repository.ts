/**
 * Invitation items and the guard that keeps one pending invitation per (partner, customer).
 * Every rule is a condition inside a transaction; failures come back as TransactionRefused.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../data/client.js';
import { TTL_ATTRIBUTE } from '../data/table.js';
import { decodeCursor, encodeCursor } from '../data/cursor.js';
import {
  domainClaimKey,
  expiryKey,
  invitationKey,
  invitationListingKey,
  partnerInvitationsPartition,
  pendingGuardKey,
} from '../data/keys.js';
import { TransactionRefused, transactWrite, type TransactItem } from '../data/transactions.js';
import type { EmailDelivery, Invitation } from './model.js';
import { checkNoActiveRelationship, type Page } from '../relationships/repository.js';

/** Positions of the create transaction's items, so a cancellation reason maps to its rule. */
export type CreateFailure = 'PARTNER_DOMAIN' | 'RELATIONSHIP_EXISTS' | 'INVITATION_PENDING' | 'DUPLICATE_ID';

/**
 * Writes a new invitation in one transaction whose conditions carry every rule: no domain (or
 * parent domain) of the customer is a partner's, the pair has no active relationship, and no
 * other invitation of the pair is still pending. Returns which rule failed, if one did.
 */
export async function insertInvitation(
  invitation: Invitation,
  domainsToCheck: readonly string[],
  at: string,
): Promise<{ failed?: CreateFailure; pendingInvitationId?: string }> {
  const items: TransactItem[] = [
    ...domainsToCheck.map(
      (domain): TransactItem => ({
        ConditionCheck: { TableName: tableName(), Key: domainClaimKey(domain), ConditionExpression: 'attribute_not_exists(PK)' },
      }),
    ),
    checkNoActiveRelationship(invitation.partnerId, invitation.customerDomain, at),
    {
      Put: {
        TableName: tableName(),
        Item: {
          ...pendingGuardKey(invitation.partnerId, invitation.customerDomain),
          type: 'PENDING_GUARD',
          invitationId: invitation.id,
          expiresAt: invitation.expiresAt,
          // Inert after expiresAt by the condition below; TTL only tidies up.
          [TTL_ATTRIBUTE]: Math.ceil(Date.parse(invitation.expiresAt) / 1000),
        },
        // An overdue invitation no longer blocks the pair, whether or not cleanup has run.
        ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': at },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    {
      Put: {
        TableName: tableName(),
        Item: {
          ...invitationKey(invitation.id),
          ...invitationListingKey(invitation.partnerId, invitation.createdAt, invitation.id),
          ...expiryKey('INVITATION', invitation.id, invitation.expiresAt),
          type: 'INVITATION',
          ...invitation,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ];
  try {
    await transactWrite(items);
    return {};
  } catch (error) {
    const failure = error instanceof TransactionRefused ? error.firstConditionFailure() : undefined;
    if (failure === undefined) throw error;
    const k = domainsToCheck.length;
    if (failure.index < k) return { failed: 'PARTNER_DOMAIN' };
    if (failure.index === k) return { failed: 'RELATIONSHIP_EXISTS' };
    if (failure.index === k + 1) return { failed: 'INVITATION_PENDING', pendingInvitationId: failure.item?.invitationId as string | undefined };
    return { failed: 'DUPLICATE_ID' };
  }
}

/** Records what became of the invitation email; a small write that never touches the rules. */
export async function recordEmailDelivery(invitationId: string, email: EmailDelivery): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: invitationKey(invitationId),
      UpdateExpression: 'SET email = :email',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':email': email },
    }),
  );
}

/** One invitation by id, or undefined. */
export async function findInvitation(invitationId: string, consistent = false): Promise<Invitation | undefined> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: invitationKey(invitationId), ConsistentRead: consistent }));
  return Item as Invitation | undefined;
}

/** One page of a partner's invitations, newest first: one query on GSI1. */
export async function queryPartnerInvitations(
  partnerId: string,
  options: { limit: number; cursor?: string; status?: string; at: string },
): Promise<Page<Invitation>> {
  const partition = partnerInvitationsPartition(partnerId);
  const startKey = decodeCursor(options.cursor, { attribute: 'GSI1PK', value: partition });
  const filter = statusFilter(options.status, options.at);
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': partition, ...filter?.values },
      ...(filter === undefined ? {} : { FilterExpression: filter.expression, ExpressionAttributeNames: { '#status': 'status' } }),
      ScanIndexForward: false,
      ExclusiveStartKey: startKey,
      Limit: options.limit,
    }),
  );
  return { items: (result.Items ?? []) as Invitation[], nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** Filters by the status as of `at`: overdue pending invitations count as expired. */
function statusFilter(status: string | undefined, at: string) {
  switch (status) {
    case undefined:
      return undefined;
    case 'PENDING':
      return { expression: '#status = :pending AND expiresAt > :now', values: { ':pending': 'PENDING', ':now': at } };
    case 'EXPIRED':
      return {
        expression: '#status = :expired OR (#status = :pending AND expiresAt <= :now)',
        values: { ':expired': 'EXPIRED', ':pending': 'PENDING', ':now': at },
      };
    default:
      return { expression: '#status = :status', values: { ':status': status } };
  }
}
