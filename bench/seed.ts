/**
 * Items shaped exactly like the ones the product writes (same keys from shared/data/keys.ts, same
 * attributes), written in bulk with BatchWriteItem for the benchmark's fixtures.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addDays, hashSecret, newId, newSecret } from '../shared/clock.js';
import { invitationKey, invitationListingKey, pendingGuardKey, relationshipCustomerViewKey, relationshipKey, scheduleKey } from '../shared/data/keys.js';
import { TTL_ATTRIBUTE } from '../shared/data/table.js';
import type { Invitation } from '../shared/invitations/model.js';
import type { Relationship } from '../shared/relationships/model.js';

type Item = Record<string, unknown>;

/** A pending invitation (and its secret) as insertInvitation stores it, expiring at `expiresAt`. */
export function invitationItem(partnerId: string, customerDomain: string, createdAt: Date, expiresAt: Date): { invitation: Invitation; secret: string; item: Item; guard: Item } {
  const secret = newSecret();
  const invitation: Invitation = {
    id: newId(),
    partnerId,
    partnerName: `Partner ${partnerId}`,
    customerDomain,
    customerName: `Customer of ${customerDomain}`,
    adminEmail: `admin@${customerDomain}`,
    roles: ['DIRECTORY_READER'],
    durationDays: 365,
    autoExtend: false,
    locale: 'en',
    message: 'We would like to manage your tenant.',
    status: 'PENDING',
    createdAt: createdAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    resendCount: 0,
    tokenHash: hashSecret(secret),
    email: { status: 'SENT', messageId: newId(), at: createdAt.toISOString() },
  };
  const item = {
    ...invitationKey(invitation.id),
    ...invitationListingKey(partnerId, invitation.createdAt, invitation.id),
    ...scheduleKey({ kind: 'INVITATION', end: invitation.expiresAt }, invitation.id, createdAt),
    type: 'INVITATION',
    ...invitation,
  };
  const guard = {
    ...pendingGuardKey(partnerId, customerDomain),
    type: 'PENDING_GUARD',
    invitationId: invitation.id,
    expiresAt: invitation.expiresAt,
    [TTL_ATTRIBUTE]: Math.ceil(expiresAt.getTime() / 1000),
  };
  return { invitation, secret, item, guard };
}

/** An active relationship as the accept transaction stores it, ending at `endsAt`. */
export function relationshipItem(partnerId: string, customerDomain: string, startsAt: Date, endsAt: Date): Item {
  const relationship: Relationship = {
    id: newId(),
    partnerId,
    partnerName: `Partner ${partnerId}`,
    customerDomain,
    customerName: `Customer of ${customerDomain}`,
    roles: ['DIRECTORY_READER'],
    requestedRoles: ['DIRECTORY_READER'],
    status: 'ACTIVE',
    startsAt: startsAt.toISOString(),
    endsAt: endsAt.toISOString(),
    autoExtend: false,
    invitationId: newId(),
    acceptedBy: { email: `admin@${customerDomain}`, signedIn: false },
  };
  return {
    ...relationshipKey(partnerId, customerDomain),
    ...relationshipCustomerViewKey(partnerId, customerDomain),
    ...scheduleKey({ kind: 'RELATIONSHIP', end: relationship.endsAt, autoExtend: relationship.autoExtend }, relationship.id, startsAt),
    type: 'RELATIONSHIP',
    ...relationship,
  };
}

/** Writes items 25 at a time, `parallel` batches in flight, retrying what DynamoDB leaves unprocessed. */
export async function batchPut(client: DynamoDBDocumentClient, tableName: string, items: readonly Item[], onProgress: (written: number) => void, parallel = 4): Promise<void> {
  let next = 0;
  let written = 0;
  const worker = async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + 25);
      next += 25;
      let requests: { PutRequest: { Item: Item } }[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests !== undefined && requests.length > 0) {
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = result.UnprocessedItems?.[tableName] as typeof requests;
      }
      written += batch.length;
      onProgress(written);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** `days` from `from` (negative: in the past). */
export const daysFrom = (from: Date, days: number): Date => addDays(from, days);
