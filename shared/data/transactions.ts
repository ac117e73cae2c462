/**
 * Runs a DynamoDB transaction whose items carry the refusal each condition stands for, so a
 * cancellation is reported by the failed item's own label, never by its position.
 */
import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { db } from './client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * One item of a transaction. `refusal` names the rule its condition keeps; an item without one
 * (an audit record with a fresh id, say) is not expected to fail, and failing is a bug.
 */
export interface TransactionItem<R extends string = string> {
  readonly item: TransactItem;
  readonly refusal?: R;
}

/** A transaction that DynamoDB refused: the refusal of the first item whose condition failed, with that item as stored (when it asked for ALL_OLD). */
export class TransactionRefused<R extends string = string> extends Error {
  constructor(
    readonly refusal: R,
    readonly item: Record<string, unknown> | undefined,
  ) {
    super(`Transaction refused: ${refusal}`);
    this.name = 'TransactionRefused';
  }
}

/**
 * The refusal of the transaction of `items`, when `error` is one of their refusals; any other
 * error is rethrown. Typed by the items' own labels, so a caller maps every refusal and nothing else.
 */
export function refusalOf<R extends string>(error: unknown, items: readonly TransactionItem<R>[]): { refusal: R; item: Record<string, unknown> | undefined } {
  if (!(error instanceof TransactionRefused) || !items.some((entry) => entry.refusal === error.refusal)) throw error;
  return { refusal: error.refusal as R, item: error.item };
}

const MAX_CONFLICT_ATTEMPTS = 4;

/**
 * Writes the items in one transaction. A condition failure becomes `TransactionRefused` with the
 * refusal of the first failed item (items are listed in the order their refusals take
 * precedence); a failed item without a refusal throws as the programming error it is. A
 * transaction conflict (another transaction on the same items at the same moment) is retried a
 * few times, so the loser of a race learns the winner's outcome through its own conditions.
 */
export async function transactWrite<R extends string>(items: readonly TransactionItem<R>[], token?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db().send(new TransactWriteCommand({ TransactItems: items.map((entry) => entry.item), ClientRequestToken: token }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [{ index, reason }] : []));
      const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict');
      if (conflict && failed.length === 0 && attempt < MAX_CONFLICT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
        continue;
      }
      const unexpected = failed.find(({ index }) => items[index]?.refusal === undefined);
      if (unexpected !== undefined) {
        const operation = Object.keys(items[unexpected.index]?.item ?? {})[0] ?? 'unknown';
        throw new Error(`A transaction item without a refusal failed its condition (item ${unexpected.index}, ${operation})`, { cause: error });
      }
      const [first] = failed;
      if (first === undefined) throw error;
      throw new TransactionRefused(items[first.index]!.refusal!, stored(first.reason));
    }
  }
}

function stored(reason: CancellationReason): Record<string, unknown> | undefined {
  return reason.Item === undefined ? undefined : unmarshall(reason.Item);
}

