import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE, TABLE_INDEXES, TABLE_KEYS, TABLE_STREAM_VIEW, TTL_ATTRIBUTE } from '../../shared/data/table.js';

export interface AppTableProps {
  /** Protects the table from deletion and keeps it (and its key) when the stack goes; off for throwaway dev stacks. */
  readonly production: boolean;
}

/**
 * The single table and its two indexes, shaped by `shared/data/table.ts` so the cloud and the local stack agree;
 * encrypted with its own rotating KMS key, with point-in-time recovery, and protected in production.
 */
export class AppTable extends Construct {
  readonly table: Table;
  /** The customer-managed key the table is encrypted with; usable only through DynamoDB (see `AppFunction.bindTable`). */
  readonly key: Key;
  /** Powertools idempotency records (`Idempotency-Key` on POSTs): the shape Powertools expects, same key, expiring by TTL. */
  readonly idempotency: Table;

  constructor(scope: Construct, id: string, props: AppTableProps) {
    super(scope, id);
    const removalPolicy = props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.key = new Key(this, 'Key', {
      description: `Encrypts the partner relationships table of ${Stack.of(this).stackName}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The outbox: every committed audit record reaches the event publisher through the stream.
      stream: StreamViewType[TABLE_STREAM_VIEW],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.production,
      removalPolicy,
    });
    this.idempotency = new Table(this, 'Idempotency', {
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...(index.projection === 'INCLUDE'
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.nonKeyAttributes] }
          : { projectionType: ProjectionType.ALL }),
      });
    }
  }
}
