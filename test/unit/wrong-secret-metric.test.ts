import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { invitationKey } from '../../shared/data/keys.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { useUnitConfig } from '../support/unit.js';

const dynamo = mockClient(DynamoDBDocumentClient);

describe('an acceptance link with a wrong secret', () => {
  useUnitConfig({ POWERTOOLS_METRICS_DISABLED: 'false' });
  afterAll(() => {
    dynamo.restore();
    vi.restoreAllMocks();
  });

  it('is counted as AcceptanceLinkWrongSecret, for an unknown id alike, and only read, never written', async () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const { hashSecret, newSecret } = await import('../../shared/clock.js');
    const known = { id: 'inv-1', status: 'PENDING', tokenHash: hashSecret(newSecret()), expiresAt: '2999-01-01T00:00:00.000Z' };
    dynamo.on(GetCommand).resolves({});
    dynamo.on(GetCommand, { Key: invitationKey('inv-1') }).resolves({ Item: known });
    const { decide, openRequest } = await import('../../shared/acceptance/service.js');
    // Act
    const found = await import('../../shared/invitations/repository.js').then((m) => m.findInvitation('inv-1'));
    const outcomes = await Promise.all([
      decide('inv-1', newSecret(), { decision: 'accept' }).catch((error: { code: string }) => error.code),
      openRequest('inv-1', newSecret()).catch((error: { code: string }) => error.code),
      decide('inv-unknown', newSecret(), { decision: 'decline' }).catch((error: { code: string }) => error.code),
    ]);
    // Assess
    expect(found?.tokenHash).toBe(known.tokenHash);
    expect(outcomes).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    const counted = lines.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [])).filter((line) => '_aws' in line);
    expect(counted.map((line) => line.AcceptanceLinkWrongSecret)).toEqual([1, 1, 1]);
    expect(dynamo.calls().map((call) => call.args[0].constructor.name)).toEqual(['GetCommand', 'GetCommand', 'GetCommand', 'GetCommand']);
  });
});
