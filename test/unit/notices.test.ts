import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { partnerKey, policyKey } from '../../shared/data/keys.js';
import { endedNotice, grantedNotice, partnerAcceptedNotice, partnerDeclinedNotice, partnerEndedNotice } from '../../shared/notices/emails.js';
import { logger } from '../../shared/log.js';
import { relationshipFixture, useUnitConfig } from '../support/unit.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);

const relationship = relationshipFixture;

describe('a notice to the customer', () => {
  useUnitConfig({ POWERTOOLS_METRICS_DISABLED: 'false' });
  afterAll(() => {
    dynamo.restore();
    ses.restore();
    vi.restoreAllMocks();
  });

  it('escapes every value in the HTML and keeps the subject on one line', () => {
    // Prepare
    const hostile = relationship({ partnerName: '<script>alert(1)</script>\r\nBcc: x@evil.test', acceptedBy: { email: 'a"b@contoso.com', signedIn: true } });
    // Act
    const granted = grantedNotice(hostile, [{ role: 'USER_ADMIN', partnerIds: ['adatum', 'fabrikam'] }], new Map([['adatum', '<b>Adatum</b>']]));
    const ended = endedNotice(hostile, { kind: 'partner', partnerId: 'fabrikam' });
    const toPartner = [
      partnerAcceptedNotice(hostile, hostile.partnerName),
      partnerEndedNotice(hostile, hostile.partnerName),
      partnerDeclinedNotice({ id: 'inv-1', partnerId: 'fabrikam', customerDomain: 'contoso.com', roles: ['USER_ADMIN'] }, hostile.partnerName, hostile.partnerName),
    ];
    // Assess
    for (const email of [granted, ended, ...toPartner]) {
      expect(email.subject).not.toMatch(/[\r\n]/);
      expect(email.html).not.toContain('<script>');
      expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    // The customer's subjects name the partner; the partner's name the customer.
    for (const email of [granted, ended]) expect(email.html).toMatch(/<head>.*<title>[^<]*&lt;script&gt;/s);
    expect(granted.html).toContain('a&quot;b@contoso.com, signed in as an admin of contoso.com');
    expect(granted.html).toContain('&lt;b&gt;Adatum&lt;/b&gt; (adatum)');
  });

  it('does not fail the accept that sent it when SES refuses it: it logs ids only and counts CustomerNoticesFailed and PartnerNoticesFailed', async () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const warnings = vi.spyOn(logger, 'warn');
    dynamo.on(GetCommand, { Key: policyKey('contoso.com') }).resolves({ Item: { ...policyKey('contoso.com'), notify: ['security@contoso.com'] } });
    dynamo.on(GetCommand, { Key: partnerKey('fabrikam') }).resolves({ Item: { ...partnerKey('fabrikam'), id: 'fabrikam', name: 'Fabrikam', domain: 'fabrikam.com', contactEmail: 'ops@fabrikam.com' } });
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(PutCommand).rejects(new Error('not expected'));
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('Daily message quota exceeded.'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const { notifyAccepted } = await import('../../shared/notices/service.js');
    // Act
    const outcome = await notifyAccepted(relationship(), undefined, new Date('2026-01-01T00:00:00.000Z')).then(() => 'resolved');
    // Assess
    expect(outcome).toBe('resolved');
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination?.ToAddresses)).toEqual([['security@contoso.com'], ['ops@fabrikam.com']]);
    const json = lines.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : []));
    const metrics = json.filter((line) => '_aws' in line);
    expect(metrics.map((line) => [line.CustomerNoticesFailed, line.PartnerNoticesFailed])).toEqual([
      [1, undefined],
      [undefined, 1],
    ]);
    expect(warnings.mock.calls).toEqual([
      ['Customer notice failed', { notice: 'grant', relationshipId: 'rel-1', error: 'Throttling' }],
      ['Partner notice failed', { notice: 'accepted', partnerId: 'fabrikam', relationshipId: 'rel-1', error: 'Throttling' }],
    ]);
  });
});

describe('power roles shared by partners', () => {
  it('counts only power roles of relationships active as of now: an overdue one does not, an auto-extending one does', async () => {
    // Prepare
    const { powerRoleOverlaps } = await import('../../shared/relationships/model.js');
    const at = new Date('2026-03-01T00:00:00.000Z');
    const base = { roles: ['USER_ADMIN', 'DIRECTORY_READER'] as const, status: 'ACTIVE' as const, endsAt: '2026-06-01T00:00:00.000Z', autoExtend: false };
    // Act
    const overlaps = powerRoleOverlaps(
      [
        { ...base, partnerId: 'fabrikam' },
        { ...base, partnerId: 'adatum', endsAt: '2026-02-01T00:00:00.000Z' },
        { ...base, partnerId: 'wingtip', endsAt: '2026-02-01T00:00:00.000Z', autoExtend: true },
        { ...base, partnerId: 'northwind', status: 'TERMINATED' },
      ],
      at,
    );
    // Assess
    expect(overlaps).toEqual([{ role: 'USER_ADMIN', partnerIds: ['fabrikam', 'wingtip'] }]);
  });
});
