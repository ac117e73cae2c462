/**
 * Races on one request: whatever arrives together, exactly one closing transition wins, every
 * loser is told why, and the audit trail tells the same story as the stored state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../shared/acceptance/service.js';
import type { AuditEvent } from '../../shared/audit/model.js';
import { pendingGuardKey } from '../../shared/data/keys.js';
import { MAX_RESENDS, type Invitation } from '../../shared/invitations/model.js';
import { cancelInvitation, resendInvitation } from '../../shared/invitations/service.js';
import { findInvitation } from '../../shared/invitations/repository.js';
import { findRelationship } from '../../shared/relationships/repository.js';
import { uniqueDomain, useTestTable } from '../support/environment.js';
import { adminOf, auditTrail, invite, outcomeOf } from '../support/lifecycle.js';
import { signedInCookie } from '../support/sign-in.js';
import { emailsTo, linkIn, newestLinkFor } from '../support/mail.js';
import { rawItems } from '../support/table-writes.js';

const ROUNDS = 10;

/** The audit records about one invitation, oldest first by type (records of one moment have no order among themselves). */
async function storyOf(partnerId: string, invitationId: string): Promise<AuditEvent['type'][]> {
  const events = await auditTrail({ partnerId });
  return events.filter((e) => e.invitationId === invitationId).map((e) => e.type);
}

const sameStory = (types: readonly string[]) => [...types].sort();

describe('accept, cancel and resend of one request, fired together', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  /** The three calls start in a different order each round, so no one of them always gets there first. */
  const rounds = Array.from({ length: ROUNDS }, (_, i) => ({ round: i + 1, order: i % 3 }));

  it.each(rounds)('round $round: one of accept and cancel closes the request, and the trail says which', async ({ order }) => {
    // Prepare
    const customer = uniqueDomain('race');
    const { invitation, token } = await invite('fabrikam', customer, { roles: ['USER_ADMIN'], durationDays: 30 });
    const cookie = await signedInCookie(invitation.id, token, adminOf(customer));
    const calls = {
      accept: () => outcomeOf(decide(invitation.id, token, { decision: 'accept' }, cookie)),
      cancel: () => outcomeOf(cancelInvitation('fabrikam', invitation.id)),
      resend: () => outcomeOf(resendInvitation('fabrikam', invitation.id)),
    };
    const names = (['accept', 'cancel', 'resend'] as const).map((_, i, all) => all[(i + order) % 3]!);
    // Act
    const answers = await Promise.all(names.map((name) => calls[name]()));
    const outcome = Object.fromEntries(names.map((name, i) => [name, answers[i]])) as Record<keyof typeof calls, string>;
    // Assess
    const stored = (await findInvitation(invitation.id, true)) as Invitation;
    const relationship = await findRelationship('fabrikam', customer);
    const story = await storyOf('fabrikam', invitation.id);
    const resent = outcome.resend === 'ok';

    if (stored.status === 'ACCEPTED') {
      // The admin got there first: the partner's calls found the request closed.
      expect(outcome).toEqual({ accept: 'ok', cancel: '409 NOT_PENDING', resend: '409 NOT_PENDING' });
      expect(relationship).toMatchObject({ status: 'ACTIVE', invitationId: invitation.id, id: stored.relationshipId });
      expect(sameStory(story)).toEqual(sameStory(['InvitationCreated', 'InvitationAccepted']));
    } else {
      // The partner got there first: a resend that came before the cancel is part of the story, and the admin's link lost either way
      // (replaced, if the sender mailed the resend's link before the cancel; canceled otherwise).
      expect(stored.status).toBe('CANCELED');
      expect(outcome.cancel).toBe('ok');
      expect(outcome.resend).toBe(resent ? 'ok' : '409 NOT_PENDING');
      expect(resent ? ['409 CANCELED', '410 LINK_REPLACED'] : ['409 CANCELED']).toContain(outcome.accept);
      expect(relationship).toBeUndefined();
      expect(sameStory(story)).toEqual(sameStory(['InvitationCreated', ...(resent ? ['InvitationResent'] : []), 'InvitationCanceled']));
    }
    expect(stored.resendCount).toBe(resent ? 1 : 0);
    // The resend's email goes out only if the sender reached it while the request was still open.
    expect(await emailsTo(adminOf(customer))).toHaveLength(outcome.accept === '410 LINK_REPLACED' ? 2 : 1);
    expect(Object.values(await rawItems([pendingGuardKey('fabrikam', customer)]))).toEqual([null]);
  });
});

describe('resends of one request, fired together', () => {
  beforeAll(async () => {
    await useTestTable();
  });

  it(`lets at most ${MAX_RESENDS} of 20 simultaneous resends through, each audited; the sender mails the newest, each email with a link of its own`, async () => {
    // Prepare
    const customer = uniqueDomain('resends');
    const { invitation, token } = await invite('adatum', customer);
    // Act
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcomeOf(resendInvitation('adatum', invitation.id))));
    // Assess
    const succeeded = outcomes.filter((o) => o === 'ok').length;
    expect(succeeded).toBeGreaterThanOrEqual(1);
    expect(succeeded).toBeLessThanOrEqual(MAX_RESENDS);
    expect(outcomes.filter((o) => o !== 'ok' && o !== '409 CONFLICT' && o !== '429 RESEND_LIMIT_REACHED')).toEqual([]);
    const story = await storyOf('adatum', invitation.id);
    expect(story.filter((type) => type === 'InvitationResent')).toHaveLength(succeeded);
    expect(story.filter((type) => type !== 'InvitationResent')).toEqual(['InvitationCreated']);
    // A resend superseded before the sender reached it is never mailed; the newest always is.
    const emails = await emailsTo(adminOf(customer));
    expect(emails.length).toBeGreaterThanOrEqual(2);
    expect(emails.length).toBeLessThanOrEqual(1 + succeeded);
    expect(new Set(emails.map((email) => linkIn(email).token)).size).toBe(emails.length);
    const stored = (await findInvitation(invitation.id, true)) as Invitation;
    expect(stored).toMatchObject({ status: 'PENDING', resendCount: succeeded, email: { status: 'SENT', kind: 'RESEND' } });
    expect(stored.replacedTokenHashes).toHaveLength(emails.length - 1);
    // The newest email's link is the one that works; the first one says a newer email was sent.
    const newest = await newestLinkFor(adminOf(customer), invitation.id);
    expect(await outcomeOf(decide(invitation.id, token, { decision: 'accept' }))).toBe('410 LINK_REPLACED');
    expect(await outcomeOf(decide(invitation.id, newest.token, { decision: 'accept' }))).toBe('ok');
  });

  it('tells a partner whose resend lost to another one that the request is still pending, not that it closed', async () => {
    // Prepare
    const customer = uniqueDomain('resends');
    const { invitation } = await invite('wingtip', customer);
    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        resendInvitation('wingtip', invitation.id).then(
          () => 'ok',
          (error: { status: number; code: string; message: string }) => `${error.status} ${error.code}: ${error.message}`,
        ),
      ),
    );
    // Assess
    const refused = outcomes.filter((o) => o !== 'ok');
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) expect(answer).toMatch(/^409 CONFLICT: /);
    expect((await findInvitation(invitation.id, true))?.status).toBe('PENDING');
  });
});
