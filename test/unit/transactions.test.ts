import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useUnitConfig } from '../support/unit.js';
import { resetDb } from '../../shared/data/client.js';
import { TransactionRefused, refusalOf, transactWrite, type TransactionItem } from '../../shared/data/transactions.js';

const dynamo = mockClient(DynamoDBDocumentClient);

const check = (pk: string): TransactionItem['item'] => ({ ConditionCheck: { TableName: 't', Key: { PK: pk, SK: pk }, ConditionExpression: 'attribute_not_exists(PK)' } });

/** DynamoDB's answer when the items whose PK is in `failing` fail their conditions: one reason per item, in the order sent. */
function refuse(failing: readonly string[]) {
  dynamo.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
    throw new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: (input.TransactItems ?? []).map((item) => {
        const pk = String(item.ConditionCheck?.Key?.PK);
        return failing.includes(pk) ? { Code: 'ConditionalCheckFailed', Item: marshall({ PK: pk, owner: `owner of ${pk}` }) } : { Code: 'None' };
      }),
    });
  });
}

const refusalFor = (items: readonly TransactionItem<string>[]) =>
  transactWrite(items).then(
    () => 'written',
    (error: unknown) => refusalOf(error, items),
  );

describe('a transaction whose items carry their refusals', () => {
  useUnitConfig();
  beforeAll(() => resetDb());
  beforeEach(() => dynamo.reset());
  afterAll(() => {
    dynamo.restore();
    resetDb();
  });

  it('maps a failed condition to its own item’s refusal and stored item, in whatever order the items are written', async () => {
    // Prepare
    refuse(['quota']);
    const domain = { item: check('domain'), refusal: 'PARTNER_DOMAIN' };
    const quota = { item: check('quota'), refusal: 'QUOTA' };
    const audit = { item: check('audit') };
    // Act
    const outcomes = await Promise.all([[domain, quota, audit], [quota, audit, domain], [audit, domain, { item: check('extra'), refusal: 'EXTRA' }, quota]].map(refusalFor));
    // Assess
    for (const outcome of outcomes) expect(outcome).toEqual({ refusal: 'QUOTA', item: { PK: 'quota', owner: 'owner of quota' } });
  });

  it('reports the first failed item when several fail, so the items’ order is their precedence', async () => {
    refuse(['domain', 'quota']);
    const domain = { item: check('domain'), refusal: 'PARTNER_DOMAIN' };
    const quota = { item: check('quota'), refusal: 'QUOTA' };
    expect(await refusalFor([domain, quota])).toMatchObject({ refusal: 'PARTNER_DOMAIN' });
    expect(await refusalFor([quota, domain])).toMatchObject({ refusal: 'QUOTA' });
  });

  it('throws a failed item without a refusal as the programming error it is, never as a refusal', async () => {
    refuse(['audit']);
    const error = await transactWrite([{ item: check('domain'), refusal: 'PARTNER_DOMAIN' }, { item: check('audit') }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TransactionRefused);
    expect(String(error)).toMatch(/without a refusal failed its condition \(item 1, ConditionCheck\)/);
  });

  it('rethrows a refusal that none of the given items can make', async () => {
    refuse(['quota']);
    const items = [{ item: check('quota'), refusal: 'QUOTA' }];
    const error = await transactWrite(items).catch((e: unknown) => e);
    expect(() => refusalOf(error, [{ item: check('domain'), refusal: 'PARTNER_DOMAIN' }])).toThrow(TransactionRefused);
    expect(() => refusalOf(new Error('network'), items)).toThrow('network');
    expect(refusalOf(error, items).refusal).toBe('QUOTA');
  });
});
