/**
 * The OpenAPI 3.1 document of the HTTP contract, built from the route table, the request schemas
 * and the response schemas the code itself uses (zod), so the document cannot drift from the answers.
 * Each operation says what it answers on success and which problem `code`s it can answer with per
 * status; what every route shares (auth, body limits, Idempotency-Key, 404 for unknown ids, 500) is
 * added once, from the route's facts.
 */
import * as z from 'zod';
import { functions, type Access, type Route } from '../../infra/routes.js';
import { createInvitationBody, invitationIdParam, listInvitationsQuery } from '../invitations/schema.js';
import { invitationViewSchema } from '../invitations/model.js';
import { customerRelationshipsQuery, listRelationshipsQuery } from '../relationships/service.js';
import { customerRelationshipSchema, relationshipSchema } from '../relationships/model.js';
import { auditQuery } from '../audit/schema.js';
import { auditEventSchema } from '../audit/model.js';
import { acceptanceLinkQuery, acceptanceViewSchema, decisionBody, decisionResultSchema, signInBody, signInCallbackQuery } from '../acceptance/schema.js';
import { MAX_RESENDS } from '../invitations/model.js';
import { policyBody, policySchema } from '../policy/model.js';
import { problemSchema } from './problem.js';
import { MAX_BODY_BYTES } from './handler.js';

/** A page of a list: `{ items, nextCursor }`, `nextCursor` null on the last page. */
export const pageSchema = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });

/** The body API Gateway itself writes (its JWT authorizer's 401), which an HTTP API cannot shape. */
const gatewayMessageSchema = z.strictObject({ message: z.string() });

/** The parts of this document a client relies on. */
const openApiSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

/** Every response body, by component name. */
const COMPONENTS = {
  Problem: problemSchema,
  Invitation: invitationViewSchema,
  InvitationPage: pageSchema(invitationViewSchema),
  Relationship: relationshipSchema,
  RelationshipPage: pageSchema(relationshipSchema),
  CustomerRelationshipPage: pageSchema(customerRelationshipSchema),
  AuditEvent: auditEventSchema,
  AuditEventPage: pageSchema(auditEventSchema),
  AcceptanceView: acceptanceViewSchema,
  Decision: decisionResultSchema,
  CustomerPolicy: policySchema,
  GatewayMessage: gatewayMessageSchema,
  OpenApiDocument: openApiSchema,
} as const satisfies Record<string, z.ZodType>;
type Component = keyof typeof COMPONENTS;

/** What each problem `code` means; a response's description quotes the codes it can carry. */
const CODES = {
  VALIDATION_FAILED: 'the body, the query, the Idempotency-Key or a text in them is not valid (including ill-formed Unicode and a malformed or foreign cursor); `errors` lists each field',
  MALFORMED_JSON: 'the body is not JSON',
  UNAUTHORIZED: 'no valid bearer token (in AWS the JWT authorizer answers `{"message":"Unauthorized"}` itself)',
  PARTNER_TOKEN_REQUIRED: 'the token is not a partner token',
  PARTNER_NOT_REGISTERED: "the token's partner is not registered",
  CUSTOMER_TOKEN_REQUIRED: 'the token is not a customer admin token',
  TOKEN_KIND_REQUIRED: 'the token is neither a partner nor a customer admin token',
  CROSS_SITE_REQUEST: 'a browser says the form was posted from another site',
  NOT_FOUND: 'nothing of the caller has this id (also for another tenant’s, and for an id that cannot exist); on a link: unknown id or wrong secret',
  INVITATION_PENDING: 'this partner already has a pending invitation to this customer',
  RELATIONSHIP_EXISTS: 'the partner already has an active relationship with this customer',
  NOT_PENDING: 'the invitation is no longer pending',
  NOT_ACTIVE: 'the relationship is no longer active',
  CONFLICT: 'the item changed at the same moment; read it again and retry',
  ALREADY_ACCEPTED: 'the request was accepted',
  ALREADY_DECLINED: 'the request was declined',
  CANCELED: 'the partner withdrew the request',
  IDEMPOTENCY_KEY_REUSED: 'the Idempotency-Key was used with another body',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'a request with this Idempotency-Key is still running',
  EXPIRED: 'the request expired unanswered (also before the cleanup job has run)',
  LINK_REPLACED: 'a resend emailed a newer link',
  PAYLOAD_TOO_LARGE: `the body is over ${MAX_BODY_BYTES} bytes`,
  UNSUPPORTED_MEDIA_TYPE: 'the body is neither application/json nor a form',
  PARTNER_CANNOT_BE_CUSTOMER: 'the domain (or a parent of it) belongs to a registered partner',
  INVITATION_QUOTA_EXCEEDED: 'the partner sent its invitations for the day (UTC); `Retry-After` says when the day turns',
  RESEND_LIMIT_REACHED: `the invitation was resent ${MAX_RESENDS} times; cancel it and invite again`,
  APPROVER_NOT_ALLOWED: "the customer's policy names who may approve requests, and this address is not one of them",
  PARTNER_NOT_ALLOWED: "the customer's policy does not allow requests from this partner",
  ROLE_NOT_ALLOWED: "the customer's policy forbids one of the roles",
  DURATION_TOO_LONG: "the duration is longer than the customer's policy allows",
  SIGN_IN_REQUIRED: 'accepting needs a signed-in admin of the customer (power roles, or a policy that says `signIn: "ALWAYS"`); nothing changed',
  WRONG_ACCOUNT: 'signed in as an admin of another domain, or not one of the approvers the policy names; the page offers to sign in as someone else',
  SIGN_IN_FAILED: 'the sign-in did not complete: no session, a forged, replayed or expired state, or a code or ID token the provider or we refused; nothing changed',
  INTERNAL_ERROR: 'an unexpected failure; nothing internal is disclosed; retry later',
} as const;
type Code = keyof typeof CODES;

type Tag = 'Invitations' | 'Relationships' | 'Customer' | 'Audit' | 'Acceptance' | 'Document';
type MediaType = 'application/json' | 'text/html' | 'text/csv';

/** One operation, as written by hand: what it is for, what it takes, its success and its own refusals. */
interface OperationSpec {
  readonly operationId: string;
  readonly tag: Tag;
  readonly summary: string;
  readonly description: string;
  readonly query?: z.ZodType;
  readonly body?: { readonly schema: z.ZodType; readonly form?: boolean };
  /** A path parameter's schema, when it is narrower than any string. */
  readonly params?: Readonly<Record<string, z.ZodType>>;
  readonly ok: {
    readonly status: 200 | 201 | 202 | 303;
    readonly description: string;
    readonly content: Partial<Record<MediaType, Component | 'string'>>;
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** The refusals of this operation beyond those every operation of its kind has. */
  readonly errors?: Readonly<Partial<Record<number, readonly Code[]>>>;
  /** Errors answer an HTML page unless the client asks for JSON (the customer's acceptance routes). */
  readonly htmlErrors?: boolean;
  /** No body, ever (HEAD). */
  readonly headOnly?: boolean;
}

/** What the customer's policy refuses, on create and again on accept. */
const POLICY_REFUSALS = ['APPROVER_NOT_ALLOWED', 'PARTNER_NOT_ALLOWED', 'ROLE_NOT_ALLOWED', 'DURATION_TOO_LONG'] as const;

const LINK_REFUSALS = { 404: ['NOT_FOUND'], 409: ['ALREADY_ACCEPTED', 'ALREADY_DECLINED', 'CANCELED'], 410: ['EXPIRED', 'LINK_REPLACED'] } as const;

const showAcceptance = {
  tag: 'Acceptance',
  query: acceptanceLinkQuery,
  params: { id: invitationIdParam },
  ok: { status: 200, description: 'The request as an HTML page with the accept/decline form; `{ invitation }` with `Accept: application/json`', content: { 'text/html': 'string', 'application/json': 'AcceptanceView' } },
  errors: LINK_REFUSALS,
  htmlErrors: true,
} as const;

/** Every operation, by `METHOD path` of the route table. */
const OPERATIONS: Record<string, OperationSpec> = {
  'POST /invitations': {
    operationId: 'createInvitation',
    tag: 'Invitations',
    summary: 'Invite a customer to grant delegated admin access',
    description: 'Creates a pending invitation and emails the acceptance link to the customer’s admin. The answer never carries the link or its secret.',
    body: { schema: createInvitationBody },
    ok: { status: 201, description: 'Created; `email.status` says whether the email went out', content: { 'application/json': 'Invitation' }, headers: { Location: 'The invitation: /invitations/{id}' } },
    errors: {
      409: ['INVITATION_PENDING', 'RELATIONSHIP_EXISTS', 'CONFLICT'],
      422: ['PARTNER_CANNOT_BE_CUSTOMER', ...POLICY_REFUSALS],
      429: ['INVITATION_QUOTA_EXCEEDED'],
    },
  },
  'GET /invitations': {
    operationId: 'listInvitations',
    tag: 'Invitations',
    summary: "The caller's invitations, newest first",
    description: 'A page of the partner’s invitations; `status` filters by the status as of now (a pending invitation past `expiresAt` is `EXPIRED`).',
    query: listInvitationsQuery,
    ok: { status: 200, description: 'A page', content: { 'application/json': 'InvitationPage' } },
  },
  'GET /invitations/{id}': {
    operationId: 'getInvitation',
    tag: 'Invitations',
    summary: 'One of the caller’s invitations',
    description: 'Another partner’s invitation is answered exactly like a missing one (404).',
    params: { id: invitationIdParam },
    ok: { status: 200, description: 'The invitation', content: { 'application/json': 'Invitation' } },
  },
  'DELETE /invitations/{id}': {
    operationId: 'cancelInvitation',
    tag: 'Invitations',
    summary: 'Withdraw a pending invitation',
    description: 'The link then answers 409 `CANCELED`, and the partner may invite the customer again.',
    params: { id: invitationIdParam },
    ok: { status: 200, description: 'Canceled', content: { 'application/json': 'Invitation' } },
    errors: { 409: ['NOT_PENDING', 'CONFLICT'] },
  },
  'POST /invitations/{id}/resend': {
    operationId: 'resendInvitation',
    tag: 'Invitations',
    summary: 'Email a new link for a pending invitation',
    description: `The previous link then answers 410 \`LINK_REPLACED\`. At most ${MAX_RESENDS} resends per invitation.`,
    params: { id: invitationIdParam },
    ok: { status: 202, description: 'Resent', content: { 'application/json': 'Invitation' } },
    errors: { 409: ['NOT_PENDING', 'CONFLICT'], 429: ['RESEND_LIMIT_REACHED'] },
  },
  'GET /relationships': {
    operationId: 'listRelationships',
    tag: 'Relationships',
    summary: "The caller's customers",
    description: 'A page of the partner’s relationships, each with its status as of now.',
    query: listRelationshipsQuery,
    ok: { status: 200, description: 'A page', content: { 'application/json': 'RelationshipPage' } },
  },
  'DELETE /relationships/{customerDomain}': {
    operationId: 'endRelationship',
    tag: 'Relationships',
    summary: 'End the relationship with a customer',
    description: 'Terminates the partner’s active relationship with the customer; every other relationship stays.',
    ok: { status: 200, description: 'Terminated', content: { 'application/json': 'Relationship' } },
    errors: { 409: ['NOT_ACTIVE'] },
  },
  'GET /customer/relationships': {
    operationId: 'listCustomerRelationships',
    tag: 'Customer',
    summary: "The customer's partners",
    description:
      'A page of every partner the customer works or worked with; each row’s `overlaps` names the power roles it shares with another active partner (empty when none). `format=csv` exports all of them at once as a spreadsheet-safe CSV.',
    query: customerRelationshipsQuery,
    ok: { status: 200, description: 'A page, or the whole list as CSV', content: { 'application/json': 'CustomerRelationshipPage', 'text/csv': 'string' } },
  },
  'DELETE /customer/relationships/{partnerId}': {
    operationId: 'endCustomerRelationship',
    tag: 'Customer',
    summary: 'The customer ends its relationship with one partner',
    description: 'Terminates that partner’s active relationship; every other partner stays.',
    ok: { status: 200, description: 'Terminated', content: { 'application/json': 'Relationship' } },
    errors: { 409: ['NOT_ACTIVE'] },
  },
  'GET /customer/policy': {
    operationId: 'getCustomerPolicy',
    tag: 'Customer',
    summary: "The customer's policy",
    description: 'The rules every partner’s request to this customer must keep; the defaults (no restriction, `signIn: "POWER"`) when none is set.',
    ok: { status: 200, description: 'The policy', content: { 'application/json': 'CustomerPolicy' } },
  },
  'PUT /customer/policy': {
    operationId: 'putCustomerPolicy',
    tag: 'Customer',
    summary: "Replace the customer's policy",
    description:
      'Empty lists mean no restriction. Approvers must be addresses in the customer’s domain or its subdomains; notify may be any address. Audited as `CustomerPolicyChanged`. Invitations and accepts are checked against it inside their transactions.',
    body: { schema: policyBody },
    ok: { status: 200, description: 'The policy as stored', content: { 'application/json': 'CustomerPolicy' } },
  },
  'GET /audit': {
    operationId: 'listAudit',
    tag: 'Audit',
    summary: 'The audit trail, newest first',
    description: 'A partner sees its own events; a customer admin sees the events about its domain.',
    query: auditQuery,
    ok: { status: 200, description: 'A page', content: { 'application/json': 'AuditEventPage' } },
  },
  'GET /accept/{id}': {
    ...showAcceptance,
    operationId: 'showAcceptance',
    summary: 'The request behind an emailed link',
    description: 'The link (id and secret) is the credential. Changes nothing, so mail scanners may fetch it. Refusals are HTML pages, or problem+json with `Accept: application/json`.',
  },
  'HEAD /accept/{id}': {
    ...showAcceptance,
    operationId: 'headAcceptance',
    summary: 'Same as GET, without a body',
    description: 'Answers the status and headers GET would; changes nothing.',
    headOnly: true,
  },
  'POST /accept/{id}': {
    operationId: 'decideAcceptance',
    tag: 'Acceptance',
    summary: 'Accept or decline',
    description: 'The form on the link’s page (or JSON). Accepting grants the roles kept (a non-empty subset of those asked) for the time asked or less. Refused when a browser says it comes from another site.',
    body: { schema: decisionBody, form: true },
    params: { id: invitationIdParam },
    ok: { status: 200, description: 'An HTML confirmation; `{ invitation, relationship }` with `Accept: application/json` (relationship null on decline)', content: { 'text/html': 'string', 'application/json': 'Decision' } },
    errors: {
      ...LINK_REFUSALS,
      401: ['SIGN_IN_REQUIRED'],
      403: ['CROSS_SITE_REQUEST', 'WRONG_ACCOUNT'],
      409: [...LINK_REFUSALS[409], 'RELATIONSHIP_EXISTS', 'CONFLICT'],
      422: POLICY_REFUSALS,
    },
    htmlErrors: true,
  },
  'POST /accept/{id}/sign-in': {
    operationId: 'startSignIn',
    tag: 'Acceptance',
    summary: 'Sign in to accept: to the identity provider',
    description:
      'The page’s "Sign in…" form (hidden `token`; without it, an unexpired sign-in session of this invitation signs in again). Checks the link like opening it, sets the session cookie and redirects to the provider’s authorization endpoint (code, PKCE S256, state, nonce, `login_hint`, `prompt=login`). The link’s secret is in none of these. Every post starts a new sign-in, and an `Idempotency-Key` is ignored here: the answer carries a new session’s secret, which is never stored, so there is no first answer to replay.',
    body: { schema: signInBody, form: true },
    params: { id: invitationIdParam },
    ok: { status: 303, description: 'To the identity provider; `Set-Cookie` carries the session', content: {}, headers: { Location: 'The authorization endpoint, with the authorization request' } },
    errors: { ...LINK_REFUSALS, 403: ['CROSS_SITE_REQUEST'] },
    htmlErrors: true,
  },
  'GET /accept/callback': {
    operationId: 'finishSignIn',
    tag: 'Acceptance',
    summary: 'The identity provider’s answer',
    description:
      'Uses the session’s state once, checks the invitation is still open to the link that started the sign-in, exchanges the code (PKCE) and verifies the ID token (issuer, audience, nonce, time, signature), then records the admin on the session.',
    query: signInCallbackQuery,
    ok: { status: 303, description: 'Back to the request page, signed in (no secret in the URL)', content: {}, headers: { Location: '/accept/{id}' } },
    errors: { 400: ['SIGN_IN_FAILED'], ...LINK_REFUSALS },
    htmlErrors: true,
  },
  'GET /openapi.json': {
    operationId: 'getOpenApi',
    tag: 'Document',
    summary: 'This document',
    description: 'The OpenAPI 3.1 document of the HTTP API, generated from the route table and the schemas the code uses.',
    ok: { status: 200, description: 'OpenAPI 3.1', content: { 'application/json': 'OpenApiDocument' } },
  },
};

/** The 403 codes of a protected route, by who may call it (a partner token of an unregistered partner is refused on every one). */
const FORBIDDEN: Record<Exclude<Access, 'public'>, readonly Code[]> = {
  partner: ['PARTNER_TOKEN_REQUIRED', 'PARTNER_NOT_REGISTERED'],
  customer: ['CUSTOMER_TOKEN_REQUIRED', 'PARTNER_NOT_REGISTERED'],
  'partner-or-customer': ['TOKEN_KIND_REQUIRED', 'PARTNER_NOT_REGISTERED'],
};

const STATUS_TEXT: Record<number, string> = {
  303: 'See other', 400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 410: 'Gone',
  413: 'Payload too large', 415: 'Unsupported media type', 422: 'Unprocessable', 429: 'Too many requests', 500: 'Internal error',
};

const ref = (component: Component) => ({ $ref: `#/components/schemas/${component}` });

/** Every status an operation can answer with besides its success, and the codes of each. */
function refusals(route: Route, spec: OperationSpec): Map<number, Set<Code>> {
  const out = new Map<number, Set<Code>>();
  const add = (status: number, codes: readonly Code[]) => {
    const seen = out.get(status) ?? new Set<Code>();
    for (const code of codes) seen.add(code);
    out.set(status, seen);
  };
  const idempotent = (functions[route.function] as { idempotent?: boolean }).idempotent === true && route.method === 'POST';
  if (spec.query !== undefined || spec.body !== undefined || idempotent) add(400, ['VALIDATION_FAILED']);
  if (spec.body !== undefined) add(400, ['MALFORMED_JSON']);
  if (route.access !== 'public') {
    add(401, ['UNAUTHORIZED']);
    add(403, FORBIDDEN[route.access]);
  }
  if (route.path.includes('{')) add(404, ['NOT_FOUND']);
  if (idempotent) add(409, ['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS']);
  add(413, ['PAYLOAD_TOO_LARGE']);
  if (spec.body !== undefined) add(415, ['UNSUPPORTED_MEDIA_TYPE']);
  for (const [status, codes] of Object.entries(spec.errors ?? {})) add(Number(status), codes ?? []);
  add(500, ['INTERNAL_ERROR']);
  return new Map([...out].sort(([a], [b]) => a - b));
}

/** A refusal: problem+json whose `code` is one of `codes` (and an HTML page on the customer's routes). */
function refusal(status: number, codes: ReadonlySet<Code>, spec: OperationSpec, route: Route): Record<string, unknown> {
  const problem = { allOf: [ref('Problem'), { type: 'object', properties: { status: { const: status }, code: { enum: [...codes] } } }] };
  const content: Record<string, unknown> = { 'application/problem+json': spec.headOnly === true ? {} : { schema: problem } };
  if (spec.htmlErrors === true) content['text/html'] = spec.headOnly === true ? {} : { schema: { type: 'string' } };
  // The AWS JWT authorizer answers 401 before any function runs, with its own body.
  if (status === 401 && route.access !== 'public') content['application/json'] = { schema: ref('GatewayMessage') };
  const headers =
    status === 429 && codes.has('INVITATION_QUOTA_EXCEEDED')
      ? { 'Retry-After': { description: 'Seconds until the quota day (UTC) turns', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } } }
      : undefined;
  return {
    description: `${STATUS_TEXT[status] ?? String(status)}: ${[...codes].map((code) => `\`${code}\` (${CODES[code]})`).join('; ')}`,
    content,
    ...(headers === undefined ? {} : { headers }),
  };
}

const jsonSchemaOf = (type: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any', override: tidy as never }) as Record<
    string,
    unknown
  >;
  return rest;
};

function parameters(route: Route, spec: OperationSpec): unknown[] {
  const out: unknown[] = [];
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
    const name = match[1] ?? '';
    const schema = spec.params?.[name];
    out.push({ name, in: 'path', required: true, schema: schema === undefined ? { type: 'string', minLength: 1 } : jsonSchemaOf(schema) });
  }
  if (spec.query !== undefined) {
    const json = jsonSchemaOf(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) out.push({ name, in: 'query', required: json.required?.includes(name) ?? false, schema });
  }
  if ((functions[route.function] as { idempotent?: boolean }).idempotent === true && route.method === 'POST') {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Retry safely: the same key with the same body answers the first response for 24 hours; another body is refused (409).',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  return out;
}

function operation(route: Route, spec: OperationSpec): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const [type, body] of Object.entries(spec.ok.content)) {
    content[type] = spec.headOnly === true ? {} : { schema: body === 'string' ? { type: 'string' } : ref(body) };
  }
  const headers = Object.fromEntries(Object.entries(spec.ok.headers ?? {}).map(([name, description]) => [name, { description, required: true, schema: { type: 'string' } }]));
  const responses: Record<string, unknown> = {
    [spec.ok.status]: {
      description: spec.ok.description,
      ...(Object.keys(content).length > 0 ? { content } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    },
  };
  for (const [status, codes] of refusals(route, spec)) responses[status] = refusal(status, codes, spec, route);
  const body = spec.body === undefined ? undefined : jsonSchemaOf(spec.body.schema);
  const params = parameters(route, spec);
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: body }, ...(spec.body?.form === true ? { 'application/x-www-form-urlencoded': { schema: body } } : {}) } } }),
    responses,
    security: route.access === 'public' ? [] : [{ bearerJwt: [] }],
  };
}

/** Drops what makes the generated schemas noisy without adding a check: each `$id`/`$schema`, formats' own regexes, the safe-integer bounds. */
function tidy({ jsonSchema }: { jsonSchema: Record<string, unknown> }): void {
  if (typeof jsonSchema.format === 'string') delete jsonSchema.pattern;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/** The response schemas, generated from the zod schemas as components that refer to each other. */
function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    override: tidy as never,
  }) as { schemas: Record<string, Record<string, unknown>> };
  return Object.fromEntries(Object.entries(schemas).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema]));
}

/** Builds the document for the given routes; every route must be described in OPERATIONS. */
export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const spec = OPERATIONS[`${route.method} ${route.path}`];
    if (spec === undefined) throw new Error(`No OpenAPI description for ${route.method} ${route.path}`);
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, spec);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Partner Relationships',
      version: '1.0.0',
      description:
        'Partners ask customers for delegated admin access; customer admins accept or decline from an email. Errors are RFC 9457 problem details with a stable `code`. ' +
        'Besides what each operation lists, API Gateway itself may answer 429 (throttling) and 5xx with `{"message"}` bodies.',
    },
    tags: [
      { name: 'Invitations', description: 'A partner’s requests for access' },
      { name: 'Relationships', description: 'A partner’s customers' },
      { name: 'Customer', description: 'A customer admin’s partners' },
      { name: 'Audit', description: 'Who changed what, when' },
      { name: 'Acceptance', description: 'The emailed link: the customer admin’s answer' },
      { name: 'Document', description: 'This document' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Cognito ID token whose claims include custom:partner_id (partners) or custom:customer_domain (customer admins)',
        },
      },
      schemas: componentSchemas(),
    },
  };
}
