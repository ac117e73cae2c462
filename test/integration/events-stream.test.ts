/**
 * The local stream poller: transitions written to DynamoDB Local reach the EventBridge stand-in
 * through the table's stream and the publish-events handler, as on AWS, once each and in order.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { handler as publishEvents } from '../../functions/publish-events.js';
import { decide } from '../../shared/acceptance/service.js';
import { localCredentials } from '../../shared/data/client.js';
import { resetEventBridge } from '../../shared/events/publisher.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { createInvitation } from '../../shared/invitations/service.js';
import { startEventBridgeStandIn, type EventBridgeStandIn, type ReceivedEvent } from '../../infra/local/eventbridge.js';
import { startStreamPoller, type DeadLetter, type StreamPoller } from '../../infra/local/stream-poller.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { invoke } from '../support/events.js';
import { emailsTo, linkIn } from '../support/mail.js';

const WAIT = { timeout: 10_000, interval: 50 };

let tableName: string;
let streamArn: string;
let standIn: EventBridgeStandIn;
let poller: StreamPoller | undefined;
/** Every batch the poller handed the handler. */
const batches: DynamoDBRecord[][] = [];
const lines: string[] = [];
let throwNext = 0;

async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  batches.push(event.Records);
  if (throwNext > 0) {
    throwNext--;
    throw new Error('handler failing on purpose');
  }
  return invoke(publishEvents, event, 'publish-events');
}

const startPoller = () => startStreamPoller({ dynamodbEndpoint: inject('dynamodbEndpoint'), tableName, handler, log: (line) => lines.push(line), intervalMs: 100 });

async function invite(): Promise<{ invitationId: string; secret: string }> {
  const customer = uniqueDomain();
  const invitation = await createInvitation('fabrikam', createInvitationBody.parse({ customerDomain: customer, adminEmail: `admin@${customer}` }));
  const [email] = await emailsTo(`admin@${customer}`);
  return { invitationId: invitation.id, secret: linkIn(email!).token };
}

/** What `GET /events` lists about one invitation, by detail type, oldest first. */
async function publishedAbout(invitationId: string): Promise<string[]> {
  const events = (await (await fetch(standIn.eventsUrl)).json()) as ReceivedEvent[];
  return events.filter((e) => (e.detail as { invitationId?: string }).invitationId === invitationId).map((e) => e.detailType);
}

async function arrived(invitationId: string, expected: string[]): Promise<void> {
  await vi.waitFor(async () => expect(await publishedAbout(invitationId)).toEqual(expected), WAIT);
}

/**
 * Waits until a marker transition written now has been published. The stream is read in order, so
 * by then everything written before it has been handed over, and any retry of it has happened.
 */
async function streamCaughtUp(): Promise<void> {
  const marker = await invite();
  await arrived(marker.invitationId, ['Invitation Created']);
}

beforeAll(async () => {
  ({ tableName } = await useTestTable());
  const admin = new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'local', credentials: localCredentials });
  streamArn = (await admin.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn ?? '';
  admin.destroy();
  standIn = await startEventBridgeStandIn({ port: 0 });
  process.env.EVENTBRIDGE_ENDPOINT = standIn.endpoint;
  resetEventBridge();
});
afterAll(async () => {
  await poller?.stop();
  resetEventBridge();
  delete process.env.EVENTBRIDGE_ENDPOINT;
  await standIn?.stop();
});

describe('the stream poller on DynamoDB Local', () => {
  let writtenBefore: string;

  beforeAll(async () => {
    writtenBefore = (await invite()).invitationId;
    poller = await startPoller();
  });
  afterAll(async () => {
    await poller?.stop();
    poller = undefined;
  });

  it('publishes a created and an accepted invitation, in order, once each', async () => {
    // Prepare
    const { invitationId, secret } = await invite();
    // Act
    await decide(invitationId, secret, { decision: 'accept' });
    // Assess
    await arrived(invitationId, ['Invitation Created', 'Invitation Accepted']);
    await streamCaughtUp();
    expect(await publishedAbout(invitationId)).toEqual(['Invitation Created', 'Invitation Accepted']);
  });

  it('hands the handler audit inserts only, as Lambda records of this stream', async () => {
    await streamCaughtUp();
    const records = batches.flat();
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record).toMatchObject({
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        eventSourceARN: streamArn,
        awsRegion: 'local',
        dynamodb: {
          ApproximateCreationDateTime: expect.any(Number),
          Keys: { PK: { S: expect.any(String) }, SK: { S: expect.any(String) } },
          NewImage: { type: { S: 'AUDIT' } },
          SequenceNumber: expect.any(String),
          StreamViewType: 'NEW_IMAGE',
        },
      });
    }
  });

  it('publishes a decline without a reason (an empty details map), and what comes after it', async () => {
    // Prepare
    const declined = await invite();
    const accepted = await invite();
    // Act
    await decide(declined.invitationId, declined.secret, { decision: 'decline' });
    await decide(accepted.invitationId, accepted.secret, { decision: 'accept' });
    // Assess
    await arrived(declined.invitationId, ['Invitation Created', 'Invitation Declined']);
    await arrived(accepted.invitationId, ['Invitation Created', 'Invitation Accepted']);
    const events = (await (await fetch(standIn.eventsUrl)).json()) as ReceivedEvent[];
    const decline = events.find((e) => e.detailType === 'Invitation Declined' && (e.detail as { invitationId?: string }).invitationId === declined.invitationId);
    expect((decline?.detail as { details?: unknown }).details).toEqual({});
  });

  it('publishes nothing for a refused second accept', async () => {
    // Prepare
    const { invitationId, secret } = await invite();
    await decide(invitationId, secret, { decision: 'accept' });
    await arrived(invitationId, ['Invitation Created', 'Invitation Accepted']);
    // Act
    const refused = decide(invitationId, secret, { decision: 'accept' });
    // Assess
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'ALREADY_ACCEPTED' });
    await streamCaughtUp();
    expect(await publishedAbout(invitationId)).toEqual(['Invitation Created', 'Invitation Accepted']);
  });

  it('retries from the failed record when PutEvents fails, and delivers the event once', async () => {
    // Prepare
    const { invitationId, secret } = await invite();
    await arrived(invitationId, ['Invitation Created']);
    const batchesBefore = batches.length;
    standIn.failNext(1);
    // Act
    await decide(invitationId, secret, { decision: 'accept' });
    // Assess
    await arrived(invitationId, ['Invitation Created', 'Invitation Accepted']);
    await streamCaughtUp();
    expect(await publishedAbout(invitationId)).toEqual(['Invitation Created', 'Invitation Accepted']);
    const [failed, retried] = batches.slice(batchesBefore);
    expect(retried?.[0]?.dynamodb?.SequenceNumber).toBe(failed?.[0]?.dynamodb?.SequenceNumber);
    expect(lines).toContain(`stream: handler reported failures, retrying from ${failed?.[0]?.dynamodb?.SequenceNumber}`);
  });

  it('hands the same batch over again when the handler throws, and delivers the event once', async () => {
    // Prepare
    const { invitationId, secret } = await invite();
    await arrived(invitationId, ['Invitation Created']);
    const batchesBefore = batches.length;
    throwNext = 1;
    // Act
    await decide(invitationId, secret, { decision: 'accept' });
    // Assess
    await arrived(invitationId, ['Invitation Created', 'Invitation Accepted']);
    await streamCaughtUp();
    expect(await publishedAbout(invitationId)).toEqual(['Invitation Created', 'Invitation Accepted']);
    const [thrown, again] = batches.slice(batchesBefore);
    expect(again).toEqual(thrown);
    expect(lines).toContainEqual(expect.stringMatching(/^stream: handler failed on \d+ record\(s\) \(Error\), retrying$/));
    expect(lines.join('\n')).not.toMatch(/@|contoso/);
  });

  it('starts at the end of the stream: what was written before it started is not sent again', async () => {
    await streamCaughtUp();
    expect(await publishedAbout(writtenBefore)).toEqual([]);
  });

  it('sends nothing old when it is started again, as on the next npm start', async () => {
    // Prepare
    const { invitationId, secret } = await invite();
    await decide(invitationId, secret, { decision: 'accept' });
    await arrived(invitationId, ['Invitation Created', 'Invitation Accepted']);
    // Act
    await poller?.stop();
    poller = await startPoller();
    // Assess
    await streamCaughtUp();
    expect(await publishedAbout(invitationId)).toEqual(['Invitation Created', 'Invitation Accepted']);
  });
});

describe('the stream poller and a record that always fails', () => {
  const RETRIES = 3;
  let poisoned = '';
  let poisonedSequence = '';
  /** Every batch handed over that held the failing record, by sequence numbers. */
  const tries: string[][] = [];
  let stubborn: StreamPoller | undefined;
  const isPoisoned = (record: DynamoDBRecord) =>
    record.dynamodb?.NewImage?.invitationId?.S === poisoned && record.dynamodb.NewImage.eventType?.S === 'InvitationDeclined';

  beforeAll(async () => {
    stubborn = await startStreamPoller({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      tableName,
      intervalMs: 50,
      retryAttempts: RETRIES,
      log: (line) => lines.push(line),
      onDeadLetter: (letter) => standIn.addDeadLetter(letter),
      handler: async (event) => {
        const poison = event.Records.find(isPoisoned);
        if (poison === undefined) return invoke(publishEvents, event, 'publish-events');
        poisonedSequence = poison.dynamodb?.SequenceNumber ?? '';
        tries.push(event.Records.map((record) => record.dynamodb?.SequenceNumber ?? ''));
        throw new Error('this record cannot be published');
      },
    });
  });
  afterAll(async () => {
    await stubborn?.stop();
  });

  it('gives up on it after its first try and the retries AWS makes, lists it in the dead letters, and publishes what comes after it', async () => {
    // Prepare
    const bad = await invite();
    const good = await invite();
    poisoned = bad.invitationId;
    // Act
    await decide(bad.invitationId, bad.secret, { decision: 'decline', reason: 'Not this year' });
    await decide(good.invitationId, good.secret, { decision: 'accept' });
    // Assess
    await arrived(good.invitationId, ['Invitation Created', 'Invitation Accepted']);
    await streamCaughtUp();
    expect(await publishedAbout(bad.invitationId)).toEqual(['Invitation Created']);
    const alone = tries.filter((batch) => batch.length === 1 && batch[0] === poisonedSequence);
    expect(alone).toHaveLength(RETRIES + 1);
    const deadLetters = (await (await fetch(standIn.deadLettersUrl)).json()) as DeadLetter[];
    expect(deadLetters).toEqual([
      {
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: RETRIES + 1,
        streamArn,
        shardId: expect.any(String),
        sequenceNumber: poisonedSequence,
        eventID: expect.any(String),
        keys: { PK: { S: 'PARTNER#fabrikam' }, SK: { S: expect.stringMatching(/^AUDIT#/) } },
        at: expect.any(String),
      },
    ]);
    expect(lines.filter((line) => line.startsWith('stream: gave up'))).toEqual([
      `stream: gave up on record ${poisonedSequence} of ${deadLetters[0]?.shardId} after ${RETRIES + 1} tries; it is in the dead letters`,
    ]);
  });
});

describe('the stream poller and the stream shards', () => {
  // Mocked only now: the poller above has stopped by the time this block's hooks run.
  let streams: AwsClientStub<DynamoDBStreamsClient>;
  beforeAll(() => {
    streams = mockClient(DynamoDBStreamsClient);
  });
  afterEach(() => streams.reset());
  afterAll(() => streams.restore());

  const shard = (id: string, parent?: string, closed = false): Shard => ({
    ShardId: id,
    ...(parent === undefined ? {} : { ParentShardId: parent }),
    SequenceNumberRange: { StartingSequenceNumber: '1', ...(closed ? { EndingSequenceNumber: '9' } : {}) },
  });
  const auditInsert = (sequenceNumber: string) => ({
    eventID: sequenceNumber,
    eventName: 'INSERT' as const,
    dynamodb: { Keys: { PK: { S: 'A' }, SK: { S: sequenceNumber } }, NewImage: { type: { S: 'AUDIT' } }, SequenceNumber: sequenceNumber, StreamViewType: 'NEW_IMAGE' as const },
  });

  it('reads open shards from their end at start, later shards from their start, and a child after its parent', async () => {
    // Prepare: at start a closed shard and an open one, on two pages; the open one then closes and has a child and a grandchild.
    let describes = 0;
    streams.on(DescribeStreamCommand).callsFake((input: { ExclusiveStartShardId?: string }) => {
      describes++;
      if (describes === 1) return { StreamDescription: { Shards: [shard('old', undefined, true)], LastEvaluatedShardId: 'old' } };
      if (describes === 2) return { StreamDescription: { Shards: [shard('open')] } };
      return input.ExclusiveStartShardId === undefined
        ? { StreamDescription: { Shards: [shard('old', undefined, true), shard('open', undefined, true), shard('grandchild', 'child')], LastEvaluatedShardId: 'grandchild' } }
        : { StreamDescription: { Shards: [shard('child', 'open')] } };
    });
    streams.on(GetShardIteratorCommand).callsFake((input: { ShardId: string }) => ({ ShardIterator: `${input.ShardId}-0` }));
    streams.on(GetRecordsCommand, { ShardIterator: 'open-0' }).resolves({ Records: [auditInsert('10')] });
    streams.on(GetRecordsCommand, { ShardIterator: 'child-0' }).resolves({ Records: [auditInsert('20')] });
    streams.on(GetRecordsCommand, { ShardIterator: 'grandchild-0' }).resolves({ Records: [auditInsert('30')], NextShardIterator: 'grandchild-1' });
    streams.on(GetRecordsCommand, { ShardIterator: 'grandchild-1' }).resolves({ Records: [], NextShardIterator: 'grandchild-1' });
    const handled: string[][] = [];
    const collect = async (event: DynamoDBStreamEvent) => {
      handled.push(event.Records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
    };
    // Act
    const shards = await startStreamPoller({ dynamodbEndpoint: inject('dynamodbEndpoint'), tableName, handler: collect, intervalMs: 10 });
    try {
      await vi.waitFor(() => expect(handled).toEqual([['10'], ['20'], ['30']]), WAIT);
    } finally {
      await shards.stop();
    }
    // Assess
    const iterators = streams.commandCalls(GetShardIteratorCommand).map((call) => [call.args[0].input.ShardId, call.args[0].input.ShardIteratorType]);
    expect(iterators).toEqual([
      ['open', 'LATEST'],
      ['child', 'TRIM_HORIZON'],
      ['grandchild', 'TRIM_HORIZON'],
    ]);
    expect(streams.commandCalls(DescribeStreamCommand)[1]?.args[0].input.ExclusiveStartShardId).toBe('old');
  });

  it('takes a new iterator at the first failed record, and hands over only what the filter lets through', async () => {
    // Prepare
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [shard('one')] } });
    streams.on(GetShardIteratorCommand, { ShardIteratorType: 'LATEST' }).resolves({ ShardIterator: 'latest' });
    streams.on(GetShardIteratorCommand, { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '12' }).resolves({ ShardIterator: 'at-12' });
    const modify = { ...auditInsert('11'), eventName: 'MODIFY' as const };
    const other = { ...auditInsert('13'), dynamodb: { ...auditInsert('13').dynamodb, NewImage: { type: { S: 'INVITATION' } } } };
    streams.on(GetRecordsCommand, { ShardIterator: 'latest' }).resolves({ Records: [modify, auditInsert('12'), other, auditInsert('14')], NextShardIterator: 'after-14' });
    streams.on(GetRecordsCommand, { ShardIterator: 'at-12' }).resolves({ Records: [auditInsert('12'), other, auditInsert('14')], NextShardIterator: 'after-14' });
    streams.on(GetRecordsCommand, { ShardIterator: 'after-14' }).resolves({ Records: [], NextShardIterator: 'after-14' });
    const handled: string[][] = [];
    const failOnce = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
      const sequenceNumbers = event.Records.map((r) => r.dynamodb?.SequenceNumber ?? '');
      handled.push(sequenceNumbers);
      return { batchItemFailures: handled.length === 1 ? [{ itemIdentifier: '14' }, { itemIdentifier: '12' }] : [] };
    };
    // Act
    const shards = await startStreamPoller({ dynamodbEndpoint: inject('dynamodbEndpoint'), tableName, handler: failOnce, intervalMs: 10 });
    try {
      await vi.waitFor(() => expect(streams.commandCalls(GetRecordsCommand, { ShardIterator: 'after-14' })).not.toHaveLength(0), WAIT);
    } finally {
      await shards.stop();
    }
    // Assess
    expect(handled).toEqual([
      ['12', '14'],
      ['12', '14'],
    ]);
    expect(streams.commandCalls(GetShardIteratorCommand).map((call) => call.args[0].input)).toMatchObject([
      { ShardId: 'one', ShardIteratorType: 'LATEST' },
      { ShardId: 'one', ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '12' },
    ]);
  });
});
