/** The response schemas (the source of the OpenAPI responses) describe what the view functions return, and the types are theirs. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import { invitationViewSchema, toView, type Invitation, type InvitationView } from '../../shared/invitations/model.js';
import { relationshipSchema, toRelationshipView, type Relationship } from '../../shared/relationships/model.js';
import { auditEventSchema } from '../../shared/audit/model.js';
import { toAuditEvent } from '../../shared/audit/repository.js';
import { problemSchema, toProblem } from '../../shared/http/problem.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';
import type { pageSchema } from '../../shared/http/openapi.js';
import type { Page } from '../../shared/relationships/repository.js';

const at = new Date('2025-03-01T00:00:00.000Z');

const stored: Invitation = {
  id: '0b6f2c1e-4d4b-4c1a-9d8e-2f6a1c3b5d7e',
  partnerId: 'fabrikam',
  partnerName: 'Fabrikam',
  customerDomain: 'contoso.com',
  adminEmail: 'admin@contoso.com',
  roles: ['DIRECTORY_READER'],
  durationDays: 365,
  autoExtend: true,
  locale: 'en',
  status: 'PENDING',
  createdAt: '2025-02-20T00:00:00.000Z',
  expiresAt: '2025-03-06T00:00:00.000Z',
  tokenHash: 'secret-hash',
  replacedTokenHashes: ['older-hash'],
  email: { status: 'SENT', messageId: 'm-1', at: '2025-02-20T00:00:01.000Z' },
};

describe('response schemas', () => {
  it('accept what toView returns, with every always-present field, and refuse a leaked token hash', () => {
    // Act
    const view = JSON.parse(JSON.stringify(toView(stored, at))) as unknown;
    // Assess
    expect(invitationViewSchema.parse(view)).toMatchObject({ resendCount: 0, email: { status: 'SENT' } });
    expect(invitationViewSchema.safeParse({ ...(view as object), tokenHash: 'secret-hash' }).success).toBe(false);
    const { resendCount: _omitted, ...withoutCount } = view as Record<string, unknown>;
    expect(invitationViewSchema.safeParse(withoutCount).success).toBe(false);
  });

  it('accept a relationship, an audit record of each actor kind and a problem as the code shapes them', () => {
    const relationship = toRelationshipView(
      { PK: 'k', id: 'r-1', partnerId: 'fabrikam', partnerName: 'Fabrikam', customerDomain: 'contoso.com', roles: ['DIRECTORY_READER'], status: 'ACTIVE', startsAt: at.toISOString(), endsAt: at.toISOString(), autoExtend: false, invitationId: stored.id, acceptedBy: 'admin@contoso.com' },
      at,
    );
    expect(relationshipSchema.parse(JSON.parse(JSON.stringify(relationship)))).toMatchObject({ status: 'EXPIRED' });
    for (const actor of [{ kind: 'partner', partnerId: 'fabrikam' }, { kind: 'customer', customerDomain: 'contoso.com', email: 'a@contoso.com' }, { kind: 'system' }]) {
      const event = toAuditEvent({ id: 'e-1', eventType: 'InvitationCreated', at: at.toISOString(), actor, partnerId: 'fabrikam', customerDomain: 'contoso.com', PK: 'x' });
      expect(auditEventSchema.safeParse(JSON.parse(JSON.stringify(event))).success, actor.kind).toBe(true);
    }
    expect(auditEventSchema.safeParse({ id: 'e', type: 'InvitationCreated', at: at.toISOString(), actor: { kind: 'partner' }, partnerId: 'p', customerDomain: 'd' }).success).toBe(false);
    for (const error of [new ValidationError('bad', [{ path: 'x', message: 'y' }]), new ConflictError('NOT_PENDING', 'closed'), new Error('boom')]) {
      expect(problemSchema.safeParse(toProblem(error).problem).success, error.message).toBe(true);
    }
  });

  it('are where the types come from', () => {
    expectTypeOf<InvitationView>().toEqualTypeOf<z.output<typeof invitationViewSchema>>();
    expectTypeOf<Relationship>().toEqualTypeOf<z.output<typeof relationshipSchema>>();
    expectTypeOf<z.output<ReturnType<typeof pageSchema<typeof relationshipSchema>>>>().toExtend<Page<Relationship>>();
    expectTypeOf<Page<Relationship>>().toExtend<z.output<ReturnType<typeof pageSchema<typeof relationshipSchema>>>>();
  });
});
