/** The demo partners every local stack starts with, and a few customer subscriptions that name them. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../shared/data/client.js';
import { subscriptionKey } from '../../shared/data/keys.js';
import { putPartner, type Partner } from '../../shared/partners/repository.js';

export const SEED_PARTNERS: readonly Partner[] = [
  { id: 'fabrikam', name: 'Fabrikam', domain: 'fabrikam.com', contactEmail: 'ops@fabrikam.com' },
  { id: 'adatum', name: 'Adatum', domain: 'adatum.com', contactEmail: 'ops@adatum.com' },
  { id: 'wingtip', name: 'Wingtip Toys', domain: 'wingtiptoys.com', contactEmail: 'ops@wingtiptoys.com' },
];

/**
 * A customer's subscription as the billing side (outside this service) keeps it. Relationship
 * operations must never change one: not its terms, its owner or its partner of record.
 */
export interface SeedSubscription {
  readonly customerDomain: string;
  readonly id: string;
  readonly product: string;
  readonly quantity: number;
  readonly term: { readonly length: 'P1M' | 'P1Y' | 'P3Y'; readonly billing: 'MONTHLY' | 'ANNUAL'; readonly startsAt: string; readonly endsAt: string };
  /** The seed partner that sold the subscription. */
  readonly partnerOfRecord: string;
  /** Who owns the customer's account for this subscription. */
  readonly owner: string;
}

export const SEED_SUBSCRIPTIONS: readonly SeedSubscription[] = [
  {
    customerDomain: 'contoso.com',
    id: 'sub-contoso-m365-e3',
    product: 'Microsoft 365 E3',
    quantity: 250,
    term: { length: 'P1Y', billing: 'MONTHLY', startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2027-01-01T00:00:00.000Z' },
    partnerOfRecord: 'fabrikam',
    owner: 'it-admin@contoso.com',
  },
  {
    customerDomain: 'contoso.com',
    id: 'sub-contoso-defender',
    product: 'Microsoft Defender for Endpoint P2',
    quantity: 250,
    term: { length: 'P3Y', billing: 'ANNUAL', startsAt: '2025-07-01T00:00:00.000Z', endsAt: '2028-07-01T00:00:00.000Z' },
    partnerOfRecord: 'adatum',
    owner: 'security@contoso.com',
  },
  {
    customerDomain: 'northwind.com',
    id: 'sub-northwind-business-premium',
    product: 'Microsoft 365 Business Premium',
    quantity: 40,
    term: { length: 'P1M', billing: 'MONTHLY', startsAt: '2026-03-01T00:00:00.000Z', endsAt: '2026-04-01T00:00:00.000Z' },
    partnerOfRecord: 'wingtip',
    owner: 'owner@northwind.com',
  },
];

/**
 * Registers the seed partners and writes the seed subscriptions; safe to run on every start.
 * A subscription that already exists is left as it is, so a restart never resets local data.
 */
export async function seed(): Promise<void> {
  for (const partner of SEED_PARTNERS) await putPartner(partner);
  for (const subscription of SEED_SUBSCRIPTIONS) await putSubscriptionOnce(subscription);
}

async function putSubscriptionOnce(subscription: SeedSubscription): Promise<void> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...subscriptionKey(subscription.customerDomain, subscription.id), type: 'SUBSCRIPTION', ...subscription },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
