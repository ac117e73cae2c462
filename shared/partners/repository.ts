/** Registered partners: a profile per partner and a claim per domain, so "is this domain a partner's?" is one key. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../data/client.js';
import { domainClaimKey, partnerKey } from '../data/keys.js';
import { now } from '../clock.js';
import { partnerId } from './schema.js';

export interface Partner {
  readonly id: string;
  readonly name: string;
  readonly domain: string;
  /** Where the partner's notices go (accepted, declined, expired unanswered, ended by the customer); without one, none are sent. */
  readonly contactEmail?: string;
}

const CACHE_MS = 5 * 60 * 1000;
const cache = new Map<string, { partner: Partner | undefined; until: number }>();

/** A partner's profile, cached for a few minutes per warm function (names and domains rarely change). */
export async function getPartner(partnerId: string): Promise<Partner | undefined> {
  const hit = cache.get(partnerId);
  const at = Date.now();
  if (hit !== undefined && hit.until > at) return hit.partner;
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: partnerKey(partnerId) }));
  const partner: Partner | undefined =
    Item === undefined
      ? undefined
      : { id: String(Item.id), name: String(Item.name), domain: String(Item.domain), ...(typeof Item.contactEmail === 'string' ? { contactEmail: Item.contactEmail } : {}) };
  cache.set(partnerId, { partner, until: at + CACHE_MS });
  return partner;
}

/** Forgets cached profiles (tests). */
export function clearPartnerCache(): void {
  cache.clear();
}

/**
 * Registers a partner and claims its domain; used by seeding and onboarding scripts, idempotent
 * (the first registration time stays). A profile given without `contactEmail` loses any stored one.
 */
export async function putPartner(partner: Partner): Promise<void> {
  partnerId.parse(partner.id);
  const contact = partner.contactEmail === undefined ? ' REMOVE contactEmail' : ', contactEmail = :contactEmail';
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: partnerKey(partner.id),
      UpdateExpression: `SET #type = :type, id = :id, #name = :name, #domain = :domain, registeredAt = if_not_exists(registeredAt, :now)${contact}`,
      ExpressionAttributeNames: { '#type': 'type', '#name': 'name', '#domain': 'domain' },
      ExpressionAttributeValues: {
        ':type': 'PARTNER',
        ':id': partner.id,
        ':name': partner.name,
        ':domain': partner.domain,
        ':now': now().toISOString(),
        ...(partner.contactEmail === undefined ? {} : { ':contactEmail': partner.contactEmail }),
      },
    }),
  );
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...domainClaimKey(partner.domain), type: 'DOMAIN_CLAIM', domain: partner.domain, partnerId: partner.id },
    }),
  );
}
