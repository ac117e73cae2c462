/** The customer's decision, written as one transaction whose conditions carry every invariant. */
import { invitationKey, pendingGuardKey } from '../data/keys.js';
import { tableName } from '../data/client.js';
import { TransactionRefused, transactWrite, type TransactItem } from '../data/transactions.js';
import type { Invitation } from '../invitations/model.js';
import type { Relationship } from '../relationships/model.js';
import { putRelationship } from '../relationships/repository.js';

export type DecisionRefusal =
  | { reason: 'INVITATION'; current: Invitation | undefined }
  | { reason: 'RELATIONSHIP_EXISTS' };

/**
 * Closes a pending invitation, if and only if it is still pending, unexpired and the secret's
 * hash matches, and on accept writes the relationship in the same transaction. The pending
 * guard of the pair goes with it (only if it is still this invitation's).
 */
export async function writeDecision(
  invitation: Invitation,
  tokenHash: string,
  decision: { status: 'ACCEPTED' | 'DECLINED'; at: string; relationship?: Relationship },
): Promise<DecisionRefusal | undefined> {
  const relationshipId = decision.relationship?.id;
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName(),
        Key: invitationKey(invitation.id),
        UpdateExpression: `SET #status = :decided, decidedAt = :now${relationshipId === undefined ? '' : ', relationshipId = :relationshipId'} REMOVE GSI2PK, GSI2SK`,
        ConditionExpression: '#status = :pending AND tokenHash = :hash AND expiresAt > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':decided': decision.status,
          ':pending': 'PENDING',
          ':hash': tokenHash,
          ':now': decision.at,
          ...(relationshipId === undefined ? {} : { ':relationshipId': relationshipId }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    {
      Delete: {
        TableName: tableName(),
        Key: pendingGuardKey(invitation.partnerId, invitation.customerDomain),
        ConditionExpression: 'attribute_not_exists(PK) OR invitationId = :id',
        ExpressionAttributeValues: { ':id': invitation.id },
      },
    },
    ...(decision.relationship === undefined ? [] : [putRelationship(decision.relationship, decision.at)]),
  ];
  try {
    await transactWrite(items);
    return undefined;
  } catch (error) {
    const failure = error instanceof TransactionRefused ? error.firstConditionFailure() : undefined;
    if (failure === undefined) throw error;
    if (failure.index === 0) return { reason: 'INVITATION', current: failure.item as Invitation | undefined };
    if (failure.index === 2) return { reason: 'RELATIONSHIP_EXISTS' };
    // The guard belongs to another invitation: this one cannot be pending any more.
    return { reason: 'INVITATION', current: undefined };
  }
}
