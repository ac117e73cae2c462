import { SendEmailCommand, SESClient, MessageRejected } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { db, resetDb } from '../../shared/data/client.js';
import { resetSes, sendEmail, ses } from '../../shared/mail/mailer.js';
import { isClientSideFailure } from '../../shared/sdk-clients.js';
import { useUnitConfig } from '../support/unit.js';

const sesMock = mockClient(SESClient);
const dynamodbMock = mockClient(DynamoDBDocumentClient);
const content = { subject: 'Fabrikam asks for access', text: 'Open https://partners.example.test/accept/1?token=t', html: '<p>Open</p>' };

useUnitConfig({
  PUBLIC_BASE_URL: 'https://partners.example.test',
  SENDER_EMAIL: 'no-reply@partner-relationships.test',
  SES_ENDPOINT: 'http://127.0.0.1:9',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
});

afterAll(() => {
  sesMock.restore();
  dynamodbMock.restore();
  resetSes();
  resetDb();
});

beforeEach(() => {
  sesMock.reset();
  dynamodbMock.reset();
  resetSes();
  resetDb();
});

const serviceError = () => new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } });

describe('an AWS client is never reused after a send fails on the client side', () => {
  it('tells a failure without a service response (serialisation, network) from a service refusal', () => {
    expect(isClientSideFailure(new URIError('URI malformed'))).toBe(true);
    expect(isClientSideFailure(Object.assign(new Error('socket hang up'), { $metadata: { attempts: 3 } }))).toBe(true);
    expect(isClientSideFailure(serviceError())).toBe(false);
  });

  it('destroys and forgets the SES client when SendEmail throws before SES answered, so the next email gets a fresh one', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).rejectsOnce(new URIError('URI malformed')).resolves({ MessageId: 'second' });
    const first = ses('notice');
    const destroyed = vi.spyOn(first, 'destroy');
    // Act
    await expect(sendEmail('attacker@evil.example', content)).rejects.toThrow('URI malformed');
    const messageId = await sendEmail('admin@contoso.com', content);
    // Assess
    expect(destroyed).toHaveBeenCalledOnce();
    expect(ses('notice')).not.toBe(first);
    expect(messageId).toBe('second');
    expect(sesMock.commandCalls(SendEmailCommand)[1]?.args[0].input.Destination).toEqual({ ToAddresses: ['admin@contoso.com'] });
  });

  it('keeps the client when SES itself refused the email (a service response leaves nothing half-built)', async () => {
    sesMock.on(SendEmailCommand).rejectsOnce(serviceError()).resolves({ MessageId: 'second' });
    const first = ses('notice');
    const destroyed = vi.spyOn(first, 'destroy');
    await expect(sendEmail('admin@contoso.com', content)).rejects.toThrow('not verified');
    expect(await sendEmail('admin@contoso.com', content)).toBe('second');
    expect(ses('notice')).toBe(first);
    expect(destroyed).not.toHaveBeenCalled();
  });

  it('destroys a client only once its calls still in flight have settled', async () => {
    let release: (value: { MessageId: string }) => void = () => undefined;
    sesMock
      .on(SendEmailCommand)
      .callsFakeOnce(() => new Promise((resolve) => (release = resolve)))
      .rejectsOnce(new URIError('URI malformed'));
    const first = ses('notice');
    const destroyed = vi.spyOn(first, 'destroy');
    const inFlight = sendEmail('admin@contoso.com', content);
    await expect(sendEmail('attacker@evil.example', content)).rejects.toThrow('URI malformed');
    expect(ses('notice')).not.toBe(first);
    expect(destroyed).not.toHaveBeenCalled();
    release({ MessageId: 'in-flight' });
    expect(await inFlight).toBe('in-flight');
    expect(destroyed).toHaveBeenCalledOnce();
  });

  it('does the same for the DynamoDB DocumentClient', async () => {
    dynamodbMock.on(GetCommand).rejectsOnce(Object.assign(new Error('read ECONNRESET'), { $metadata: { attempts: 3 } })).resolves({});
    const first = db();
    await expect(first.send(new GetCommand({ TableName: 'unit', Key: { PK: 'a', SK: 'b' } }))).rejects.toThrow('ECONNRESET');
    expect(db()).not.toBe(first);
    await db().send(new GetCommand({ TableName: 'unit', Key: { PK: 'a', SK: 'b' } }));
    expect(db()).toBe(db());
  });
});
