/**
 * Power is granted only by a signed-in admin of the invitation's domain, and the grant names
 * them: the accept's reads and its one transaction, which spends the sign-in session.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { decide } from '../../shared/acceptance/service.js';
import { hashSecret } from '../../shared/clock.js';
import { db, tableName } from '../../shared/data/client.js';
import { invitationKey, relationshipKey, signInSessionKey } from '../../shared/data/keys.js';
import { countSdkCalls, uniqueDomain, useTestTable } from '../support/environment.js';
import { adminOf, auditTrail, invite, outcomeOf } from '../support/lifecycle.js';
import { signedInCookie } from '../support/sign-in.js';

const stored = async (key: Record<string, string>) => (await db().send(new GetCommand({ TableName: tableName(), Key: key }))).Item;

describe('a power grant needs a signed-in admin', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  it('refuses a power grant from the link alone with SIGN_IN_REQUIRED, and changes nothing', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['LICENSE_ADMIN', 'BILLING_READER'] });
    const before = await stored(invitationKey(invitation.id));
    // Act
    const outcome = await outcomeOf(decide(invitation.id, token, { decision: 'accept' }));
    const readOnly = await outcomeOf(decide(invitation.id, token, { decision: 'accept', roles: ['BILLING_READER'] }));
    // Assess
    expect(outcome).toBe('401 SIGN_IN_REQUIRED');
    expect(readOnly).toBe('ok');
    expect(before?.status).toBe('PENDING');
  });

  it('grants as the signed-in admin: three reads, one transaction that also spends the session, then the overlap query', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['GLOBAL_ADMIN'], autoExtend: false });
    const cookie = await signedInCookie(invitation.id, token, adminOf(customer));
    const counter = await countSdkCalls();
    // Act
    const result = await decide(invitation.id, '', { decision: 'accept' }, cookie);
    counter.stop();
    // Assess
    // Session, invitation, policy; the transaction; after it commits, the customer's active relationships (overlaps),
    // then the partner's notice (its profile cached since the create: no read).
    expect(counter.calls).toEqual(['GetItemCommand', 'GetItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand', 'QueryCommand', 'SendEmailCommand']);
    const acceptedBy = { email: adminOf(customer), subject: `sub-of-${adminOf(customer)}`, signedIn: true };
    expect(result.relationship?.acceptedBy).toEqual(acceptedBy);
    expect((await stored(relationshipKey('fabrikam', customer)))?.acceptedBy).toEqual(acceptedBy);
    expect(await stored(signInSessionKey(hashSecret(cookie)))).toBeUndefined();
    const accepted = (await auditTrail({ customerDomain: customer })).find((e) => e.type === 'InvitationAccepted');
    expect(accepted?.actor).toEqual({ kind: 'customer', customerDomain: customer, email: adminOf(customer), subject: acceptedBy.subject });
  });

  it('refuses an admin of another domain with WRONG_ACCOUNT, and changes nothing', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['USER_ADMIN'] });
    const cookie = await signedInCookie(invitation.id, token, `admin@${uniqueDomain('elsewhere')}`);
    const before = await stored(invitationKey(invitation.id));
    // Act
    const outcome = await outcomeOf(decide(invitation.id, token, { decision: 'accept' }, cookie));
    // Assess
    expect(outcome).toBe('403 WRONG_ACCOUNT');
    expect(await stored(invitationKey(invitation.id))).toEqual(before);
    expect(await stored(relationshipKey('fabrikam', customer))).toBeUndefined();
  });

  it("does not count a session started with another invitation's link", async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['USER_ADMIN'] });
    const other = await invite('adatum', customer, { roles: ['USER_ADMIN'] });
    const cookie = await signedInCookie(other.invitation.id, other.token, adminOf(customer));
    // Act
    const outcome = await outcomeOf(decide(invitation.id, token, { decision: 'accept' }, cookie));
    // Assess
    expect(outcome).toBe('401 SIGN_IN_REQUIRED');
  });

  it('lets exactly one of 20 concurrent accepts with one session win', async () => {
    // Prepare
    const customer = uniqueDomain();
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['HELPDESK_ADMIN'] });
    const cookie = await signedInCookie(invitation.id, token, adminOf(customer));
    // Act
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcomeOf(decide(invitation.id, '', { decision: 'accept' }, cookie))));
    // Assess
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok').every((o) => ['409 ALREADY_ACCEPTED', '401 SIGN_IN_REQUIRED', '404 NOT_FOUND'].includes(o))).toBe(true);
  });
});
