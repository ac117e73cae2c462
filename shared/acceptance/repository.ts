/** The customer's decision, written as one transaction whose conditions carry every invariant. */
import { invitationKey } from '../data/keys.js';
import { tableName } from '../data/client.js';
import { TTL_ATTRIBUTE } from '../data/table.js';
import { refusalOf, transactWrite, type TransactItem, type TransactionItem } from '../data/transactions.js';
import type { Invitation } from '../invitations/model.js';
import { deleteGuard } from '../invitations/repository.js';
import { effectiveRelationshipStatus, type Relationship } from '../relationships/model.js';
import { replaceRelationship } from '../relationships/repository.js';
import { policyCheck, type PolicyRequest } from '../policy/conditions.js';

export type DecisionRefusal =
  | { reason: 'INVITATION'; current: Invitation | undefined }
  | { reason: 'RELATIONSHIP_EXISTS' }
  /** The sign-in session expired, was spent, or is no longer this invitation's and admin's. */
  | { reason: 'SESSION' }
  /** The pair's relationship item is not what the accept assumed, and not active: `current` is what it is. */
  | { reason: 'RELATIONSHIP_CHANGED'; current: Relationship | undefined }
  /** The customer's policy refuses the accept: `policy` is the policy item as DynamoDB judged it. */
  | { reason: 'POLICY'; policy: Record<string, unknown> | undefined };

export interface DecisionWrite {
  readonly status: 'ACCEPTED' | 'DECLINED';
  readonly at: string;
  /** Epoch seconds after which the closed invitation is no longer listed. */
  readonly closedTtl: number;
  readonly relationship?: Relationship;
  /** The pair's relationship item as the accept assumes it is (none when undefined); the accept replaces it. */
  readonly previousRelationship?: Relationship;
  readonly declineReason?: string;
  readonly audit: TransactItem;
  /** On accept: what the customer's policy must allow (who accepts, signed in or not, the roles and days granted). */
  readonly policy?: PolicyRequest;
  /** A signed-in grant spends its sign-in session in the same transaction. */
  readonly session?: TransactionItem<'SESSION'>;
}

/**
 * Closes a pending invitation if and only if it is still pending, unexpired, asks for what the
 * read saw, and the secret's hash matches; on accept the relationship is written in the same
 * transaction, under the customer's policy as it is at that moment. The pair's pending guard goes
 * with it (only while it is this invitation's).
 */
export async function writeDecision(invitation: Invitation, tokenHash: string, decision: DecisionWrite): Promise<DecisionRefusal | undefined> {
  const set = ['#status = :decided', 'decidedAt = :now', 'closedAt = :now', '#ttl = :ttl'];
  const values: Record<string, unknown> = {
    ':decided': decision.status,
    ':pending': 'PENDING',
    ':hash': tokenHash,
    ':now': decision.at,
    ':ttl': decision.closedTtl,
    ':roles': invitation.roles,
    ':days': invitation.durationDays,
  };
  if (decision.relationship !== undefined) {
    set.push('relationshipId = :relationshipId');
    values[':relationshipId'] = decision.relationship.id;
  }
  if (decision.declineReason !== undefined) {
    set.push('declineReason = :reason');
    values[':reason'] = decision.declineReason;
  }
  const items: TransactionItem<'INVITATION' | 'GUARD_TAKEN' | 'POLICY' | 'RELATIONSHIP' | 'SESSION'>[] = [
    {
      refusal: 'INVITATION',
      item: {
        Update: {
          TableName: tableName(),
          Key: invitationKey(invitation.id),
          UpdateExpression: `SET ${set.join(', ')} REMOVE GSI2PK, GSI2SK`,
          // The relationship is built from the read: the request must still be what was read.
          ConditionExpression: '#status = :pending AND tokenHash = :hash AND expiresAt > :now AND #roles = :roles AND durationDays = :days',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE, '#roles': 'roles' },
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
    ...(decision.session === undefined ? [] : [decision.session]),
    deleteGuard(invitation.partnerId, invitation.customerDomain, invitation.id),
    ...(decision.policy === undefined ? [] : [policyCheck(invitation.customerDomain, decision.policy)]),
    { item: decision.audit },
    ...(decision.relationship === undefined ? [] : replaceRelationship(decision.relationship, decision.previousRelationship, decision.at)),
  ];
  try {
    await transactWrite(items);
    return undefined;
  } catch (error) {
    const { refusal, item } = refusalOf(error, items);
    switch (refusal) {
      case 'INVITATION':
        return { reason: 'INVITATION', current: item as Invitation | undefined };
      case 'RELATIONSHIP': {
        const current = item as Relationship | undefined;
        const active = current !== undefined && effectiveRelationshipStatus(current, new Date(decision.at)) === 'ACTIVE';
        return active ? { reason: 'RELATIONSHIP_EXISTS' } : { reason: 'RELATIONSHIP_CHANGED', current };
      }
      case 'POLICY':
        return { reason: 'POLICY', policy: item };
      case 'SESSION':
        return { reason: 'SESSION' };
      case 'GUARD_TAKEN':
        // The guard belongs to another invitation: this one cannot be pending any more.
        return { reason: 'INVITATION', current: undefined };
    }
  }
}
