/** The invitation as stored and as shown to the partner. */
import type { Role } from '../domain/roles.js';

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'EXPIRED' | 'CANCELED';
export const INVITATION_STATUSES = ['PENDING', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'CANCELED'] as const;

export type EmailStatus = 'QUEUED' | 'SENT' | 'FAILED';

export interface EmailDelivery {
  readonly status: EmailStatus;
  readonly messageId?: string;
  readonly at: string;
}

/** What the table holds for an invitation, minus its keys. */
export interface Invitation {
  readonly id: string;
  readonly partnerId: string;
  readonly partnerName: string;
  readonly customerDomain: string;
  readonly customerName?: string;
  readonly adminEmail: string;
  readonly roles: readonly Role[];
  readonly durationDays: number;
  readonly autoExtend: boolean;
  readonly locale: string;
  readonly message?: string;
  readonly status: InvitationStatus;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly decidedAt?: string;
  readonly relationshipId?: string;
  readonly tokenHash: string;
  readonly email: EmailDelivery;
}

/** The invitation as the partner sees it: no token hash, no keys, and the status as of `at`. */
export interface InvitationView extends Omit<Invitation, 'tokenHash' | 'email'> {
  readonly email: { readonly status: EmailStatus };
}

/** The status as of `at`: a pending invitation past its expiry is expired, whether or not cleanup ran. */
export function effectiveStatus(invitation: Pick<Invitation, 'status' | 'expiresAt'>, at: Date): InvitationStatus {
  return invitation.status === 'PENDING' && invitation.expiresAt <= at.toISOString() ? 'EXPIRED' : invitation.status;
}

/** Shapes a stored invitation for an API response. */
export function toView(invitation: Invitation, at: Date): InvitationView {
  return {
    id: invitation.id,
    partnerId: invitation.partnerId,
    partnerName: invitation.partnerName,
    customerDomain: invitation.customerDomain,
    customerName: invitation.customerName,
    adminEmail: invitation.adminEmail,
    roles: invitation.roles,
    durationDays: invitation.durationDays,
    autoExtend: invitation.autoExtend,
    locale: invitation.locale,
    message: invitation.message,
    status: effectiveStatus(invitation, at),
    createdAt: invitation.createdAt,
    expiresAt: invitation.expiresAt,
    decidedAt: invitation.decidedAt,
    relationshipId: invitation.relationshipId,
    email: { status: invitation.email.status },
  };
}
