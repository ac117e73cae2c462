/** The customer's policy item. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../data/client.js';
import { policyKey } from '../data/keys.js';
import { transactWrite, type TransactItem } from '../data/transactions.js';
import { defaultPolicy, type CustomerPolicy } from './model.js';

/** A customer's policy as stored, or the default policy when it has set none. */
export async function findPolicy(customerDomain: string, consistent = false): Promise<CustomerPolicy> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: policyKey(customerDomain), ConsistentRead: consistent }));
  if (Item === undefined) return defaultPolicy(customerDomain);
  const { PK: _pk, SK: _sk, type: _type, ...policy } = Item;
  return { ...defaultPolicy(customerDomain), ...(policy as Partial<CustomerPolicy>), customerDomain };
}

/** Stores the customer's policy and its audit record in one transaction (the policy item is replaced whole). */
export async function writePolicy(policy: CustomerPolicy, audit: TransactItem): Promise<void> {
  await transactWrite([
    { item: { Put: { TableName: tableName(), Item: { ...policyKey(policy.customerDomain), type: 'POLICY', ...policy } } } },
    { item: audit },
  ]);
}
