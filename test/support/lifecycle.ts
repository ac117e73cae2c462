/** Small steps of the relationship lifecycle, shared by the integration tests that walk it. */
import type { Context } from 'aws-lambda';
import { queryAudit } from '../../shared/audit/repository.js';
import type { AuditEvent } from '../../shared/audit/model.js';
import type { ApiEvent } from '../../shared/http/handler.js';
import type { JwtClaims } from '../../shared/identity/caller.js';
import { createInvitationBody } from '../../shared/invitations/schema.js';
import { createInvitation } from '../../shared/invitations/service.js';
import type { InvitationView } from '../../shared/invitations/model.js';
import { apiEvent, invoke } from './events.js';
import { newestLinkFor } from './mail.js';

/** `'ok'`, or `'<status> <code>'` of the error a call was refused with. */
export function outcomeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: { code?: string; status?: number; message?: string }) =>
      error.status === undefined ? `unexpected ${String(error.message)}` : `${error.status} ${error.code}`,
  );
}

/** The admin mailbox every test invitation goes to. */
export const adminOf = (customerDomain: string) => `admin@${customerDomain}`;

/** Invites a customer as `partnerId` would, and returns the secret of the link the admin was emailed. */
export async function invite(
  partnerId: string,
  customerDomain: string,
  extra: Record<string, unknown> = {},
): Promise<{ invitation: InvitationView; token: string }> {
  const invitation = await createInvitation(partnerId, createInvitationBody.parse({ customerDomain, adminEmail: adminOf(customerDomain), ...extra }));
  const { token } = await newestLinkFor(adminOf(customerDomain), invitation.id);
  return { invitation, token };
}

/** Every audit record a partner or a customer can see, newest first (all pages). */
export async function auditTrail(viewer: { partnerId: string } | { customerDomain: string }): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryAudit(viewer, { limit: 100, cursor });
    events.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return events;
}

type Handler = (event: ApiEvent, context: Context) => Promise<unknown>;

/**
 * Calls a function's handler as API Gateway would after its JWT authorizer accepted a token
 * with these claims; answers `'ok'` or `'<status> <code>'`. For what only the handler decides,
 * such as a token of the wrong kind.
 */
export async function callHandler(
  handler: Handler,
  request: { method: string; route: string; params: Record<string, string>; claims: JwtClaims; body?: unknown },
): Promise<string> {
  const path = Object.entries(request.params).reduce((route, [name, value]) => route.replace(`{${name}}`, encodeURIComponent(value)), request.route);
  const event = apiEvent(request.method, path, { body: request.body, claims: request.claims, pathParameters: request.params });
  const result = (await invoke(handler, event, 'test')) as { statusCode: number; body?: string };
  if (result.statusCode < 300) return 'ok';
  return `${result.statusCode} ${(JSON.parse(result.body ?? '{}') as { code?: string }).code}`;
}
