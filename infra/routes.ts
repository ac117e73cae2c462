/**
 * The one place a route or a function is declared. The CDK stack and the local gateway
 * both iterate these tables, so the deployed API and the local one cannot drift.
 */
import { SIGN_IN_CALLBACK_PATH } from '../shared/sign-in/paths.js';

/**
 * Who may call a route: anyone (the emailed link is the credential), or the holder of a verified
 * JWT of a partner (`partner_id`), of a customer admin (`customer_domain`), or of either. The
 * authorizer checks the token; the handler checks its kind (403 for the wrong one).
 */
export type Access = 'public' | 'partner' | 'customer' | 'partner-or-customer';

/** DynamoDB actions a function may perform, on the table itself or on one of its indexes. */
export interface TableGrant {
  readonly actions: readonly string[];
  /** `undefined` for the base table, or the index name (`GSI1`, `GSI2`). */
  readonly index?: string;
}

/** A Lambda function: its entry under `functions/` and the least it needs. */
export interface FunctionSpec {
  readonly description: string;
  readonly table: readonly TableGrant[];
  readonly sendsEmail?: boolean;
  /** Takes `Idempotency-Key`: needs read/write on the idempotency table. */
  readonly idempotent?: boolean;
  /** Reads the table's stream (the audit outbox) and publishes to EventBridge. */
  readonly consumesStream?: boolean;
  /** Reads the table's stream for queued invitation emails and sends them (the email sender). */
  readonly sendsQueuedEmails?: boolean;
  /** Triggered by SES's event notifications (the configuration set's SNS topic). */
  readonly consumesEmailEvents?: boolean;
  /** Talks to the acceptance pages' identity provider: gets OIDC_ISSUER and OIDC_CLIENT_ID (Cognito's issuer and app client in AWS). */
  readonly usesSignIn?: boolean;
}

/** Whether a function reads the table's stream (through an event source mapping): the event publisher and the email sender. */
export const readsTableStream = (spec: FunctionSpec): boolean => spec.consumesStream === true || spec.sendsQueuedEmails === true;

export const functions = {
  'create-invitation': {
    description: "Partner asks a customer for delegated admin access; the admin's email is queued in the same transaction",
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem'] }],
    idempotent: true,
  },
  'cancel-invitation': {
    description: 'Partner withdraws a pending invitation',
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'] }],
  },
  'resend-invitation': {
    description: 'Partner asks for a new email with a new link for a pending invitation; the old link stops working once it is sent',
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] }],
    idempotent: true,
  },
  'end-relationship': {
    description: "Partner or customer admin ends their relationship; the customer's notify addresses (and, when the customer ends it, the partner) are emailed",
    // GetItem: the relationship, the customer's policy, and the partner's profile (its contactEmail; cached per warm function).
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] }],
    sendsEmail: true,
  },
  'list-customer-relationships': {
    description: "Lists a customer's partners, as JSON or CSV",
    // GetItem: a partner token on this route is checked for registration like everywhere else (then refused as the wrong kind).
    table: [{ actions: ['dynamodb:GetItem'] }, { actions: ['dynamodb:Query'], index: 'GSI1' }],
  },
  'list-audit': {
    description: "Lists the audit trail: a partner's own events, or the events about a customer",
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:Query'] }, { actions: ['dynamodb:Query'], index: 'GSI1' }],
  },
  'list-invitations': {
    description: "Lists the calling partner's invitations, newest first",
    table: [{ actions: ['dynamodb:GetItem'] }, { actions: ['dynamodb:Query'], index: 'GSI1' }],
  },
  'get-invitation': {
    description: "Reads one of the calling partner's invitations",
    table: [{ actions: ['dynamodb:GetItem'] }],
  },
  'list-relationships': {
    description: "Lists the calling partner's customers",
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:Query'] }],
  },
  'show-acceptance': {
    description: 'Shows the customer admin the request behind an emailed link; changes nothing',
    table: [{ actions: ['dynamodb:GetItem'] }],
    // Its sign-in form redirects to the provider, whose origin the page's CSP must name.
    usesSignIn: true,
  },
  'decide-acceptance': {
    description: "Records the customer admin's accept or decline in one transaction; the customer's notify addresses and the partner's contact address are emailed",
    table: [
      // ConditionCheckItem: the customer's policy, checked again inside the accepting transaction; DeleteItem also spends
      // the sign-in session of a signed-in grant; GetItem also reads the partner's profile (its contactEmail, cached).
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'] },
      // The customer's active relationships, for the power roles a grant leaves shared.
      { actions: ['dynamodb:Query'], index: 'GSI1' },
    ],
    sendsEmail: true,
    idempotent: true,
    usesSignIn: true,
  },
  'customer-policy': {
    description: "Reads and replaces the customer's policy (the policy and its audit record in one transaction)",
    // GetItem: the policy (and, for a partner token, its registration check); PutItem: the policy and its audit record.
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] }],
  },
  'start-sign-in': {
    description: 'Checks an emailed link, opens a sign-in session bound to it and redirects to the identity provider',
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] }],
    usesSignIn: true,
  },
  'finish-sign-in': {
    description: "Takes the identity provider's answer: uses the session's state once, exchanges the code, verifies the ID token",
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] }],
    usesSignIn: true,
  },
  'publish-events': {
    description: 'Publishes each committed audit record from the table stream to EventBridge (the outbox)',
    table: [],
    consumesStream: true,
  },
  'send-invitation-emails': {
    description: 'Sends the invitation emails queued on the table (creates, resends, reminders), minting each link at send time; retries with backoff',
    // GetItem: the invitation, read consistently before each attempt; UpdateItem: the attempt's claim (the new link's hash)
    // and the outcome; PutItem: a sent email's lookup item, in the same transaction as the outcome.
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] }],
    sendsEmail: true,
    sendsQueuedEmails: true,
  },
  'record-email-events': {
    description: "Records SES's delivery, bounce, complaint and reject events on the invitation's email; a bounce or complaint is audited and the partner emailed",
    // GetItem: the email's lookup item and the partner's profile (contactEmail); UpdateItem: the invitation's email, conditioned;
    // PutItem: the InvitationEmailBounced audit record, in the same transaction.
    table: [{ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] }],
    sendsEmail: true,
    consumesEmailEvents: true,
  },
  'get-openapi': {
    description: 'Serves the OpenAPI document of the HTTP contract',
    table: [],
  },
  'cleanup-expired': {
    description:
      "Handles what the sparse expiry index says is due: queues invitation reminders, tells partner and customer a relationship ends, expires overdue invitations and relationships",
    table: [
      { actions: ['dynamodb:Query'], index: 'GSI2' },
      // GetItem: the customer's policy, a relationship's name and roles for its end or expiry notice, and the partner's profile (contactEmail);
      // UpdateItem + PutItem: a reminder queued on the invitation with its audit record, an entry moved to its next point.
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'] },
    ],
    sendsEmail: true,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One HTTP route: method, API Gateway path template, the function behind it and who may call it. */
export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly function: FunctionName;
  readonly access: Access;
}

export const routes: readonly Route[] = [
  { method: 'POST', path: '/invitations', function: 'create-invitation', access: 'partner' },
  { method: 'GET', path: '/invitations', function: 'list-invitations', access: 'partner' },
  { method: 'GET', path: '/invitations/{id}', function: 'get-invitation', access: 'partner' },
  { method: 'DELETE', path: '/invitations/{id}', function: 'cancel-invitation', access: 'partner' },
  { method: 'POST', path: '/invitations/{id}/resend', function: 'resend-invitation', access: 'partner' },
  { method: 'GET', path: '/relationships', function: 'list-relationships', access: 'partner' },
  { method: 'DELETE', path: '/relationships/{customerDomain}', function: 'end-relationship', access: 'partner' },
  { method: 'GET', path: '/customer/relationships', function: 'list-customer-relationships', access: 'customer' },
  { method: 'DELETE', path: '/customer/relationships/{partnerId}', function: 'end-relationship', access: 'customer' },
  { method: 'GET', path: '/customer/policy', function: 'customer-policy', access: 'customer' },
  { method: 'PUT', path: '/customer/policy', function: 'customer-policy', access: 'customer' },
  { method: 'GET', path: '/audit', function: 'list-audit', access: 'partner-or-customer' },
  // Static before templated, as API Gateway chooses: /accept/callback is never an invitation id.
  { method: 'GET', path: SIGN_IN_CALLBACK_PATH, function: 'finish-sign-in', access: 'public' },
  { method: 'GET', path: '/accept/{id}', function: 'show-acceptance', access: 'public' },
  { method: 'HEAD', path: '/accept/{id}', function: 'show-acceptance', access: 'public' },
  { method: 'POST', path: '/accept/{id}', function: 'decide-acceptance', access: 'public' },
  { method: 'POST', path: '/accept/{id}/sign-in', function: 'start-sign-in', access: 'public' },
  { method: 'GET', path: '/openapi.json', function: 'get-openapi', access: 'public' },
];

/** Functions that run on a schedule rather than behind a route. */
export const scheduledFunctions: readonly FunctionName[] = ['cleanup-expired'];
