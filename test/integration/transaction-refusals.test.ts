/**
 * Every transaction of the service, with one more item spliced in (first, second or last), still
 * answers each refusal with its own domain code: refusals travel with their items, not by position.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decide } from '../../shared/acceptance/service.js';
import { tableName } from '../../shared/data/client.js';
import type * as Transactions from '../../shared/data/transactions.js';
import { cancelInvitation, resendInvitation } from '../../shared/invitations/service.js';
import { endRelationship } from '../../shared/relationships/end.js';
import { policyBody } from '../../shared/policy/model.js';
import { putPolicy } from '../../shared/policy/service.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { invite, outcomeOf } from '../support/lifecycle.js';

/** Where the extra item goes in every transaction; undefined writes the transactions as they are. */
const splice: { at: number | undefined; spliced: number } = vi.hoisted(() => ({ at: undefined, spliced: 0 }));

vi.mock('../../shared/data/transactions.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Transactions>();
  return {
    ...actual,
    transactWrite: (items: Transactions.TransactionItem[], token?: string) => {
      if (splice.at === undefined) return actual.transactWrite(items, token);
      // A condition that holds (a key nobody writes), labelled with a refusal no caller knows.
      const extra: Transactions.TransactionItem = {
        refusal: 'EXTRA',
        item: { ConditionCheck: { TableName: tableName(), Key: { PK: `EXTRA#${randomUUID()}`, SK: 'EXTRA' }, ConditionExpression: 'attribute_not_exists(PK)' } },
      };
      splice.spliced++;
      const at = Math.min(splice.at, items.length);
      return actual.transactWrite([...items.slice(0, at), extra, ...items.slice(at)], token);
    },
  };
});

const invited = async (partnerId = 'fabrikam') => {
  const customer = uniqueDomain('spliced');
  return { customer, ...(await invite(partnerId, customer)) };
};

describe.each([
  { where: 'first', at: 0 },
  { where: 'second', at: 1 },
  { where: 'last', at: Number.MAX_SAFE_INTEGER },
])('a transaction with an extra item $where', ({ at }) => {
  beforeAll(async () => {
    process.env.INVITATION_QUOTA_PER_DAY = '6';
    await useTestTable();
    splice.at = at;
  });
  afterAll(() => {
    splice.at = undefined;
    delete process.env.INVITATION_QUOTA_PER_DAY;
  });

  it('still refuses a partner domain, a pending pair and an active relationship with their own codes', async () => {
    // Prepare
    const { customer, invitation, token } = await invited();
    // Act and assess
    expect(await outcomeOf(invite('fabrikam', 'sub.adatum.com'))).toBe('422 PARTNER_CANNOT_BE_CUSTOMER');
    expect(await outcomeOf(invite('fabrikam', customer))).toBe('409 INVITATION_PENDING');
    expect(await outcomeOf(decide(invitation.id, token, { decision: 'accept' }))).toBe('ok');
    expect(await outcomeOf(invite('fabrikam', customer))).toBe('409 RELATIONSHIP_EXISTS');
    expect(await outcomeOf(decide(invitation.id, token, { decision: 'decline' }))).toBe('409 ALREADY_ACCEPTED');
    expect(await outcomeOf(endRelationship('fabrikam', customer, { kind: 'partner', partnerId: 'fabrikam' }))).toBe('ok');
    expect(await outcomeOf(endRelationship('fabrikam', customer, { kind: 'customer', customerDomain: customer }))).toBe('409 NOT_ACTIVE');
    expect(splice.spliced).toBeGreaterThanOrEqual(8);
  });

  it("still refuses what the customer's policy forbids, on create and on accept, with its own codes", async () => {
    const { customer, invitation, token } = await invited('adatum');
    await putPolicy({ customerDomain: customer }, policyBody.parse({ allowedPartners: ['fabrikam'], maxDurationDays: 30 }));
    expect(await outcomeOf(decide(invitation.id, token, { decision: 'accept' }))).toBe('422 PARTNER_NOT_ALLOWED');
    expect(await outcomeOf(invite('fabrikam', customer, { durationDays: 31 }))).toBe('422 DURATION_TOO_LONG');
    expect(await outcomeOf(invite('fabrikam', customer, { durationDays: 30 }))).toBe('ok');
  });

  it('still refuses a closed invitation to the partner, and the quota, with their own codes', async () => {
    const { invitation } = await invited('wingtip');
    expect(await outcomeOf(cancelInvitation('wingtip', invitation.id))).toBe('ok');
    expect(await outcomeOf(cancelInvitation('wingtip', invitation.id))).toBe('409 NOT_PENDING');
    expect(await outcomeOf(resendInvitation('wingtip', invitation.id))).toBe('409 NOT_PENDING');
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await outcomeOf(invited('wingtip')));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', '429 INVITATION_QUOTA_EXCEEDED']);
  });
});
