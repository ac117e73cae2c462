import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { publishAuditRecords, resetEventBridge } from '../../shared/events/publisher.js';
import { handler } from '../../functions/publish-events.js';
import { invoke } from '../support/events.js';

const eventBridge = mockClient(EventBridgeClient);
let sequence = 100;

/** An audit item as `putAudit` stores it, keys and ttl included. */
function auditItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = `audit-${sequence}`;
  return {
    PK: 'PARTNER#fabrikam',
    SK: `AUDIT#2030-01-02T03:04:05.678Z#${id}`,
    GSI1PK: 'CUSTOMER#contoso.com',
    GSI1SK: `AUDIT#2030-01-02T03:04:05.678Z#${id}`,
    type: 'AUDIT',
    eventType: 'InvitationAccepted',
    id,
    at: '2030-01-02T03:04:05.678Z',
    actor: { kind: 'customer', customerDomain: 'contoso.com', email: 'admin@contoso.com' },
    partnerId: 'fabrikam',
    customerDomain: 'contoso.com',
    invitationId: 'inv-1',
    relationshipId: 'rel-1',
    details: { grantedRoles: ['USER_ADMIN'] },
    ttl: 1_900_000_000,
    ...overrides,
  };
}

/** A stream record as Lambda delivers it. */
function record(item: Record<string, unknown>, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  sequence++;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'local',
    dynamodb: {
      Keys: marshall({ PK: item.PK, SK: item.SK }) as never,
      ...(eventName === 'REMOVE' ? {} : { NewImage: marshall(item, { removeUndefinedValues: true }) as never }),
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

const auditRecords = (count: number) => Array.from({ length: count }, () => record(auditItem({ id: `audit-${sequence + 1}` })));
const sentEntries = (): PutEventsRequestEntry[][] => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const sequenceOf = (r: DynamoDBRecord) => r.dynamodb?.SequenceNumber;
const allPublished = { FailedEntryCount: 0 };

describe('the event publisher', () => {
  beforeEach(() => {
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ ...allPublished, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
    delete process.env.EVENT_BUS_NAME;
    delete process.env.EVENTBRIDGE_ENDPOINT;
    process.env.AWS_REGION = 'eu-west-1';
    resetEventBridge();
  });
  afterAll(() => eventBridge.restore());

  it('publishes an accepted invitation as "Invitation Accepted" with the audit event as detail and nothing else', async () => {
    // Prepare
    const item = auditItem({ tokenHash: 'must-never-leave', secret: 'nor-this' });
    // Act
    const result = await invoke(handler, { Records: [record(item)] }, 'publish-events');
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const [[entry]] = sentEntries() as [[PutEventsRequestEntry]];
    expect(entry).toEqual({
      Source: 'partner-relationships',
      DetailType: 'Invitation Accepted',
      Detail: expect.any(String),
      Time: new Date('2030-01-02T03:04:05.678Z'),
      Resources: [],
      EventBusName: 'default',
    });
    expect(JSON.parse(entry.Detail!)).toEqual({
      id: item.id,
      type: 'InvitationAccepted',
      at: '2030-01-02T03:04:05.678Z',
      actor: { kind: 'customer', customerDomain: 'contoso.com', email: 'admin@contoso.com' },
      partnerId: 'fabrikam',
      customerDomain: 'contoso.com',
      invitationId: 'inv-1',
      relationshipId: 'rel-1',
      details: { grantedRoles: ['USER_ADMIN'] },
    });
  });

  it('publishes a decline without a reason ({"M":{}}) and keeps empty lists and sets in the detail, as AWS sends them', async () => {
    // Prepare
    const declined = record(auditItem({ eventType: 'InvitationDeclined', details: {} }));
    declined.dynamodb!.NewImage!.details = JSON.parse('{"M":{"roles":{"L":[]},"tags":{"SS":["a","b"]}}}') as never;
    const empty = record(auditItem({ eventType: 'InvitationDeclined', id: 'audit-empty', details: {} }));
    empty.dynamodb!.NewImage!.details = JSON.parse('{"M":{}}') as never;
    // Act
    const result = await invoke(handler, { Records: [declined, empty] }, 'publish-events');
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const details = sentEntries().flat().map((entry) => (JSON.parse(entry.Detail!) as { details: unknown }).details);
    expect(details).toEqual([{ roles: [], tags: ['a', 'b'] }, {}]);
  });

  it('names each transition in words and publishes to the bus named by EVENT_BUS_NAME', async () => {
    process.env.EVENT_BUS_NAME = 'integrations';
    resetEventBridge();
    await publishAuditRecords([
      record(auditItem({ eventType: 'RelationshipTerminated', actor: { kind: 'partner', partnerId: 'fabrikam', extra: 'dropped' }, invitationId: undefined })),
      record(auditItem({ eventType: 'InvitationCreated', actor: { kind: 'system' }, relationshipId: undefined, details: undefined })),
    ]);
    const [entries] = sentEntries() as [PutEventsRequestEntry[]];
    expect(entries.map((e) => [e.DetailType, e.EventBusName])).toEqual([
      ['Relationship Terminated', 'integrations'],
      ['Invitation Created', 'integrations'],
    ]);
    const terminated = JSON.parse(entries[0]!.Detail!);
    expect(terminated.actor).toEqual({ kind: 'partner', partnerId: 'fabrikam' });
    expect(terminated).not.toHaveProperty('invitationId');
    expect(Object.keys(JSON.parse(entries[1]!.Detail!)).sort()).toEqual(['actor', 'at', 'customerDomain', 'id', 'invitationId', 'partnerId', 'type']);
  });

  it('publishes the signed-in admin who accepted, subject included, as the audit record names them', async () => {
    // Prepare
    const actor = { kind: 'customer', customerDomain: 'contoso.com', email: 'admin@contoso.com', subject: 'sub-123' };
    const accepted = auditItem({ actor });
    // Act
    await publishAuditRecords([record(accepted)]);
    // Assess
    const [[entry]] = sentEntries() as [[PutEventsRequestEntry]];
    expect(JSON.parse(entry.Detail!).actor).toEqual(actor);
  });

  it('publishes a record without a partner (the customer\'s policy change) as "Customer Policy Changed", without partnerId', async () => {
    // Prepare
    const change = auditItem({
      PK: 'CUSTOMER#contoso.com',
      eventType: 'CustomerPolicyChanged',
      partnerId: undefined,
      invitationId: undefined,
      relationshipId: undefined,
      details: { approvers: ['it@contoso.com'], signIn: 'ALWAYS' },
    });
    // Act
    const result = await publishAuditRecords([record(change)]);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [[entry]] = sentEntries() as [[PutEventsRequestEntry]];
    expect(entry.DetailType).toBe('Customer Policy Changed');
    expect(JSON.parse(entry.Detail!)).toEqual({
      id: change.id,
      type: 'CustomerPolicyChanged',
      at: change.at,
      actor: change.actor,
      customerDomain: 'contoso.com',
      details: { approvers: ['it@contoso.com'], signIn: 'ALWAYS' },
    });
  });

  it('ignores items that are not audit records, and audit records that were modified or removed', async () => {
    const result = await publishAuditRecords([
      record({ PK: 'INVITATION#1', SK: 'INVITATION', type: 'INVITATION', id: '1' }),
      record(auditItem(), 'MODIFY'),
      record(auditItem(), 'REMOVE'),
    ]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sentEntries()).toEqual([]);
  });

  it('sends at most ten events per PutEvents call, in stream order', async () => {
    const records = auditRecords(23);
    const result = await publishAuditRecords(records);
    expect(result).toEqual({ batchItemFailures: [] });
    const calls = sentEntries();
    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(calls.flat().map((e) => JSON.parse(e.Detail!).id)).toEqual(records.map((r) => r.dynamodb?.NewImage?.id?.S));
  });

  it('on a partial failure reports the earliest failed record and every one after it, and stops sending', async () => {
    // Prepare: the 7th entry of the first call fails.
    eventBridge.on(PutEventsCommand).resolvesOnce({
      FailedEntryCount: 1,
      Entries: Array.from({ length: 10 }, (_, i) => (i === 6 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` })),
    });
    const records = auditRecords(15);
    // Act
    const result = await publishAuditRecords(records);
    // Assess
    expect(result.batchItemFailures).toEqual(records.slice(6).map((r) => ({ itemIdentifier: sequenceOf(r) })));
    expect(sentEntries()).toHaveLength(1);
  });

  it('reports from the failed call on, skipped records included, when a later call fails', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, (_, i) => ({ EventId: `e${i}` })) })
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const records = [...auditRecords(12), record(auditItem(), 'MODIFY'), ...auditRecords(1)];
    const result = await publishAuditRecords(records);
    expect(result.batchItemFailures).toEqual(records.slice(10).map((r) => ({ itemIdentifier: sequenceOf(r) })));
  });

  it('retries a call whose failed count names no entry, and an audit record it cannot read', async () => {
    eventBridge.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 1, Entries: [] });
    const counted = auditRecords(3);
    expect((await publishAuditRecords(counted)).batchItemFailures).toEqual(counted.map((r) => ({ itemIdentifier: sequenceOf(r) })));

    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e0' }] });
    const unreadable = [...auditRecords(1), record(auditItem({ eventType: 'SomethingNew' })), ...auditRecords(1)];
    const result = await publishAuditRecords(unreadable);
    expect(result.batchItemFailures).toEqual(unreadable.slice(1).map((r) => ({ itemIdentifier: sequenceOf(r) })));
    expect(sentEntries().flat()).toHaveLength(1);
  });
});
