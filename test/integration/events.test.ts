import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decide } from '../../shared/acceptance/service.js';
import { localCredentials, tableName } from '../../shared/data/client.js';
import { publishAuditRecords, resetEventBridge } from '../../shared/events/publisher.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { createInvitation } from '../../shared/invitations/service.js';
import { startEventBridgeStandIn, type EventBridgeStandIn, type ReceivedEvent } from '../../infra/local/eventbridge.js';
import { ensureTable } from '../../infra/local/table.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { emailsTo, linkIn } from '../support/mail.js';
import { auditInserts } from '../support/events.js';

let standIn: EventBridgeStandIn;
const lines: string[] = [];

beforeAll(async () => {
  await useTestTable();
  standIn = await startEventBridgeStandIn({ port: 0, log: (line) => lines.push(line) });
  process.env.EVENTBRIDGE_ENDPOINT = standIn.endpoint;
  resetEventBridge();
});
afterAll(async () => {
  resetEventBridge();
  await standIn?.stop();
});

const admin = () => new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'local', credentials: localCredentials });

/** A request from fabrikam that the customer's admin accepts from the email. */
async function inviteAndAccept() {
  const customer = uniqueDomain();
  const invitation = await createInvitation('fabrikam', createInvitationBody.parse({ customerDomain: customer, adminEmail: `admin@${customer}` }));
  const [email] = await emailsTo(`admin@${customer}`);
  const { token } = linkIn(email!);
  await decide(invitation.id, token, { decision: 'accept' });
  return { customer, invitation, token };
}


/** What the stand-in lists over HTTP, as a person or a test sees it. */
async function listed(): Promise<ReceivedEvent[]> {
  return (await fetch(standIn.eventsUrl)).json() as Promise<ReceivedEvent[]>;
}
const about = (events: ReceivedEvent[], invitationId: string) => events.filter((e) => (e.detail as { invitationId?: string }).invitationId === invitationId);

describe('the table stream', () => {
  it('is on for a new table and carries new images', async () => {
    const client = admin();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName() }));
    client.destroy();
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(Table?.LatestStreamArn).toMatch(/^arn:aws:dynamodb:/);
  });

  it('is switched on for a local table made before the outbox, once, however often the stack starts', async () => {
    // Prepare: a table as older versions of the local stack created it, without a stream.
    const client = admin();
    const name = `pre-outbox-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
      }),
    );
    try {
      // Act
      const first = await ensureTable(client, name);
      const arn = (await client.send(new DescribeTableCommand({ TableName: name }))).Table?.LatestStreamArn;
      const second = await ensureTable(client, name);
      // Assess
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      expect([first, second]).toEqual(['exists', 'exists']);
      expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      expect(Table?.LatestStreamArn).toBe(arn);
    } finally {
      await client.send(new DeleteTableCommand({ TableName: name }));
      client.destroy();
    }
  });
});

describe('publishing to the EventBridge stand-in over a socket', () => {
  it('publishes what a created and accepted invitation wrote, in order, once each, with ids only in the log', async () => {
    // Prepare
    const { customer, invitation } = await inviteAndAccept();
    const records = await auditInserts(customer);
    // Act
    const result = await publishAuditRecords(records);
    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const events = about(await listed(), invitation.id);
    expect(events.map((e) => e.detailType)).toEqual(['Invitation Created', 'Invitation Accepted']);
    const [created, accepted] = events as [ReceivedEvent, ReceivedEvent];
    expect(accepted).toMatchObject({ source: 'partner-relationships', eventBusName: 'default', resources: [] });
    expect(accepted.detail).toMatchObject({ type: 'InvitationAccepted', partnerId: 'fabrikam', customerDomain: customer, invitationId: invitation.id });
    expect(accepted.time).toBe((accepted.detail as { at: string }).at);
    expect(JSON.stringify(events)).not.toMatch(/tokenHash|token=|"PK"|"ttl"/);
    const ids = events.map((e) => (e.detail as { id: string }).id);
    expect(lines.filter((line) => ids.some((id) => line.endsWith(id)))).toEqual([`event: Invitation Created ${ids[0]}`, `event: Invitation Accepted ${ids[1]}`]);
    expect(lines.join('\n')).not.toContain(customer);
    expect(created.eventId).not.toBe(accepted.eventId);
  });

  it('publishes nothing for a refused transition', async () => {
    const { customer, invitation, token } = await inviteAndAccept();
    await expect(decide(invitation.id, token, { decision: 'accept' })).rejects.toMatchObject({ status: 409, code: 'ALREADY_ACCEPTED' });
    const records = await auditInserts(customer);
    expect(records).toHaveLength(2);
    await publishAuditRecords(records);
    expect(about(await listed(), invitation.id).map((e) => e.detailType)).toEqual(['Invitation Created', 'Invitation Accepted']);
  });

  it('asks for a retry when PutEvents fails, and the retry delivers each event once', async () => {
    // Prepare
    const { customer, invitation } = await inviteAndAccept();
    const records = await auditInserts(customer);
    standIn.failNext(1);
    // Act
    const failed = await publishAuditRecords(records);
    const afterFailure = about(await listed(), invitation.id);
    const retried = await publishAuditRecords(records.filter((r) => failed.batchItemFailures.some((f) => f.itemIdentifier === r.dynamodb?.SequenceNumber)));
    // Assess
    expect(failed.batchItemFailures).toEqual(records.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber })));
    expect(afterFailure).toEqual([]);
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(about(await listed(), invitation.id).map((e) => e.detailType)).toEqual(['Invitation Created', 'Invitation Accepted']);
  });
});
