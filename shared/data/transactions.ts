/** Runs a DynamoDB transaction and hands back, per item, why it was cancelled. */
import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { db } from './client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why one item of a cancelled transaction failed; `item` is the stored item when the write asked for ALL_OLD. */
export interface ItemFailure {
  readonly code: string;
  readonly item: Record<string, unknown> | undefined;
}

/** A transaction that DynamoDB refused: `failures[i]` belongs to `TransactItems[i]` (undefined where that item passed). */
export class TransactionRefused extends Error {
  constructor(readonly failures: readonly (ItemFailure | undefined)[]) {
    super('Transaction cancelled');
  }
  /** The first item whose condition failed, with its index. */
  firstConditionFailure(): { index: number; item: Record<string, unknown> | undefined } | undefined {
    const index = this.failures.findIndex((f) => f?.code === 'ConditionalCheckFailed');
    return index < 0 ? undefined : { index, item: this.failures[index]?.item };
  }
}

const MAX_CONFLICT_ATTEMPTS = 4;

/**
 * Writes the items in one transaction. A condition failure becomes `TransactionRefused`; a
 * transaction conflict (another transaction on the same items at the same moment) is retried
 * a few times, so the loser of a race learns the winner's outcome through its own conditions.
 */
export async function transactWrite(items: TransactItem[], token?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db().send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failures = (error.CancellationReasons ?? []).map(toFailure);
      const conflict = failures.some((f) => f?.code === 'TransactionConflict');
      const conditionFailed = failures.some((f) => f?.code === 'ConditionalCheckFailed');
      if (conflict && !conditionFailed && attempt < MAX_CONFLICT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
        continue;
      }
      if (conditionFailed) throw new TransactionRefused(failures);
      throw error;
    }
  }
}

function toFailure(reason: CancellationReason): ItemFailure | undefined {
  if (reason.Code === undefined || reason.Code === 'None') return undefined;
  return { code: reason.Code, item: reason.Item === undefined ? undefined : unmarshall(reason.Item) };
}
