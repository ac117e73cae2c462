/**
 * Every key of the table is built here, and only here. See the README's data-model table.
 */
import { createHash } from 'node:crypto';
import { nextDue, type Scheduled } from '../domain/schedule.js';

/** Shards of the sparse expiry index, so no single partition key becomes hot. */
export const EXPIRY_SHARDS = 8;

/** The partner's own partition: profile, pending guards, relationships, quota counters, audit records. */
export const PARTNER_PREFIX = 'PARTNER#';
export const partnerPartition = (partnerId: string) => `${PARTNER_PREFIX}${partnerId}`;
/** The customer's partition (GSI1 for its view of relationships; the table for its subscriptions). */
export const customerPartition = (customerDomain: string) => `CUSTOMER#${customerDomain}`;

export const partnerKey = (partnerId: string) => ({ PK: partnerPartition(partnerId), SK: 'PROFILE' });

export const domainClaimKey = (domain: string) => ({ PK: `DOMAIN#${domain}`, SK: 'PARTNER' });

export const INVITATION_PK_PREFIX = 'INVITATION#';
export const INVITATION_SK = 'INVITATION';
export const invitationKey = (invitationId: string) => ({ PK: `${INVITATION_PK_PREFIX}${invitationId}`, SK: INVITATION_SK });

/** The partner's listing of its invitations (GSI1), newest first by sort key. */
export const partnerInvitationsPartition = (partnerId: string) => `${partnerPartition(partnerId)}#INVITATIONS`;
export const invitationListingKey = (partnerId: string, createdAt: string, invitationId: string) => ({
  GSI1PK: partnerInvitationsPartition(partnerId),
  GSI1SK: `${createdAt}#${invitationId}`,
});

/**
 * What SES's events name (its message id) → the invitation whose email it was, and that email's
 * token hash; written with the send's record, so an event finds the invitation with one read.
 */
export const emailMessageKey = (messageId: string) => ({ PK: `EMAIL#${messageId}`, SK: 'EMAIL' });

/** Holds the one pending invitation a partner may have per customer. */
export const pendingGuardKey = (partnerId: string, customerDomain: string) => ({
  PK: partnerPartition(partnerId),
  SK: `PENDING#${customerDomain}`,
});

/** The relationship of one partner with one customer; GSI1 is the customer's view of its partners. */
export const RELATIONSHIP_SK_PREFIX = 'CUSTOMER#';
export const relationshipKey = (partnerId: string, customerDomain: string) => ({
  PK: partnerPartition(partnerId),
  SK: `${RELATIONSHIP_SK_PREFIX}${customerDomain}`,
});
export const relationshipCustomerViewKey = (partnerId: string, customerDomain: string) => ({
  GSI1PK: customerPartition(customerDomain),
  GSI1SK: partnerPartition(partnerId),
});

export type ExpiringKind = 'INVITATION' | 'RELATIONSHIP';

/** The sparse expiry index entry (GSI2) of an item whose next notice or end is due at `at`. */
export function expiryKey(kind: ExpiringKind, id: string, at: string) {
  return { GSI2PK: expiryPartition(shardOf(id)), GSI2SK: `${at}#${kind}#${id}` };
}

/** The expiry index entry of an item written (or one of its points handled) at `after`: at its next point still to come. */
export function scheduleKey(item: Scheduled, id: string, after: Date) {
  return expiryKey(item.kind, id, nextDue(item, after).at);
}

export const expiryPartition = (shard: number) => `EXPIRY#${shard}`;

/** Sort-key bound that selects every entry due at or before `at` ('$' sorts right after '#'). */
export const expiryUpperBound = (at: string) => `${at}$`;

function shardOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % EXPIRY_SHARDS;
}

/**
 * Audit records live with the partner (PK) and are listed for the customer through GSI1; a record
 * without a partner (the customer's own policy change) lives in the customer's partition, listed the same way.
 */
export const AUDIT_SK_PREFIX = 'AUDIT#';
export const customerAuditPartition = (customerDomain: string) => `${customerPartition(customerDomain)}#AUDIT`;
export const auditKey = (partnerId: string | undefined, customerDomain: string, at: string, id: string) => ({
  PK: partnerId === undefined ? customerPartition(customerDomain) : partnerPartition(partnerId),
  SK: `${AUDIT_SK_PREFIX}${at}#${id}`,
  GSI1PK: customerAuditPartition(customerDomain),
  GSI1SK: `${at}#${id}`,
});

/**
 * A customer's subscription, owned by the billing side of the product (outside this service):
 * relationship operations never write it. The local seed writes a few to prove that.
 */
export const subscriptionKey = (customerDomain: string, subscriptionId: string) => ({
  PK: customerPartition(customerDomain),
  SK: `SUBSCRIPTION#${subscriptionId}`,
});

/** A partner's invitation counter for one UTC day (`window` = days since the epoch). */
export const invitationQuotaKey = (partnerId: string, window: number) => ({ PK: partnerPartition(partnerId), SK: `QUOTA#${window}` });

/** A customer's policy: one item in the customer's partition, read as a condition by the create and accept transactions. */
export const policyKey = (customerDomain: string) => ({ PK: customerPartition(customerDomain), SK: 'POLICY' });

/** A short-lived sign-in session of the acceptance pages, bound to one invitation (TTL removes it; reads check the time). */
export const signInSessionKey = (sessionId: string) => ({ PK: `SESSION#${sessionId}`, SK: 'SESSION' });
