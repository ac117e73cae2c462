/**
 * The single table's shape, shared by the CDK stack and the local stack so both create the
 * same keys and indexes.
 */

export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

/** Global secondary indexes: GSI1 lists "the other side" and per-partner listings; GSI2 is the sparse expiry index. */
export const TABLE_INDEXES = [
  { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', projection: 'ALL' },
  {
    indexName: 'GSI2',
    partitionKey: 'GSI2PK',
    sortKey: 'GSI2SK',
    projection: 'INCLUDE',
    // Just what the cleanup job needs to settle an entry without reading the item.
    nonKeyAttributes: ['type', 'id', 'status', 'partnerId', 'customerDomain', 'expiresAt', 'endsAt', 'autoExtend'],
  },
] as const;

/** Epoch seconds after which DynamoDB may delete an item. Code never relies on it happening. */
export const TTL_ATTRIBUTE = 'ttl';

/** The table's stream carries each new item image: audit records reach EventBridge through it (the outbox). */
export const TABLE_STREAM_VIEW = 'NEW_IMAGE';

/** Powertools idempotency records live in a table of their own (its default shape: `id`, TTL `expiration`). */
export const IDEMPOTENCY_TABLE = { partitionKey: 'id', ttlAttribute: 'expiration' } as const;
