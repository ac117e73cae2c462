/** Stream-triggered: relays committed audit records to EventBridge (the outbox). A plain handler, no HTTP chain. */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishAuditRecords } from '../shared/events/publisher.js';

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => publishAuditRecords(event.Records);
