/** The OpenAPI 3.1 document of the HTTP contract, built from the route table and the request schemas. */
import * as z from 'zod';
import { createInvitationBody, listInvitationsQuery } from '../invitations/schema.js';
import { customerRelationshipsQuery, listRelationshipsQuery } from '../relationships/service.js';
import { auditQuery } from '../audit/schema.js';
import { AUDIT_EVENT_TYPES } from '../audit/model.js';
import { decisionBody } from '../acceptance/schema.js';
import { INVITATION_STATUSES } from '../invitations/model.js';
import { RELATIONSHIP_STATUSES } from '../relationships/model.js';
import { ROLE_NAMES } from '../domain/roles.js';

export interface RouteDoc {
  readonly method: string;
  readonly path: string;
  readonly access: 'public' | 'partner' | 'customer' | 'partner-or-customer';
}

const schema = (type: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable UPPER_SNAKE identifier' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

const invitation = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    partnerId: { type: 'string' },
    partnerName: { type: 'string' },
    customerDomain: { type: 'string' },
    customerName: { type: 'string' },
    adminEmail: { type: 'string' },
    roles: { type: 'array', items: { enum: ROLE_NAMES } },
    durationDays: { type: 'integer' },
    autoExtend: { type: 'boolean' },
    locale: { type: 'string' },
    message: { type: 'string' },
    status: { enum: INVITATION_STATUSES },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    decidedAt: { type: 'string', format: 'date-time' },
    closedAt: { type: 'string', format: 'date-time' },
    relationshipId: { type: 'string' },
    declineReason: { type: 'string' },
    resendCount: { type: 'integer' },
    lastResentAt: { type: 'string', format: 'date-time' },
    email: { type: 'object', properties: { status: { enum: ['QUEUED', 'SENT', 'FAILED'] } } },
  },
};

const relationship = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    partnerId: { type: 'string' },
    partnerName: { type: 'string' },
    customerDomain: { type: 'string' },
    customerName: { type: 'string' },
    roles: { type: 'array', items: { enum: ROLE_NAMES } },
    status: { enum: RELATIONSHIP_STATUSES },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
    autoExtend: { type: 'boolean' },
    invitationId: { type: 'string' },
    acceptedBy: { type: 'string' },
    requestedRoles: { type: 'array', items: { enum: ROLE_NAMES } },
    terminatedAt: { type: 'string', format: 'date-time' },
    terminatedBy: { enum: ['partner', 'customer'] },
    expiredAt: { type: 'string', format: 'date-time' },
  },
};

const auditEvent = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { enum: AUDIT_EVENT_TYPES },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'object', properties: { kind: { enum: ['partner', 'customer', 'system'] } } },
    partnerId: { type: 'string' },
    customerDomain: { type: 'string' },
    invitationId: { type: 'string' },
    relationshipId: { type: 'string' },
    details: { type: 'object' },
  },
};

const FORBIDDEN: Record<Exclude<RouteDoc['access'], 'public'>, string> = {
  partner: 'PARTNER_TOKEN_REQUIRED',
  customer: 'CUSTOMER_TOKEN_REQUIRED',
  'partner-or-customer': 'TOKEN_KIND_REQUIRED',
};

const list = (ref: string) => ({
  type: 'object',
  properties: { items: { type: 'array', items: { $ref: ref } }, nextCursor: { type: ['string', 'null'] } },
});

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

const queryParameters = (type: z.ZodType) => {
  const json = schema(type) as { properties?: Record<string, unknown> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
};

const operations: Record<string, Record<string, unknown>> = {
  'POST /invitations': {
    summary: 'Invite a customer to grant delegated admin access',
    requestBody: { required: true, content: { 'application/json': { schema: schema(createInvitationBody) } } },
    responses: {
      201: { description: 'Created; the admin is emailed', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invitation' } } } },
      400: problemResponse('VALIDATION_FAILED or MALFORMED_JSON'),
      409: problemResponse('INVITATION_PENDING or RELATIONSHIP_EXISTS'),
      413: problemResponse('PAYLOAD_TOO_LARGE'),
      422: problemResponse('PARTNER_CANNOT_BE_CUSTOMER'),
    },
  },
  'GET /invitations': {
    summary: "The caller's invitations, newest first",
    parameters: queryParameters(listInvitationsQuery),
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: list('#/components/schemas/Invitation') } } } },
  },
  'GET /invitations/{id}': {
    summary: 'One of the caller’s invitations',
    responses: {
      200: { description: 'The invitation', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invitation' } } } },
      404: problemResponse('NOT_FOUND (also for another partner’s invitation)'),
    },
  },
  'GET /relationships': {
    summary: "The caller's customers",
    parameters: queryParameters(listRelationshipsQuery),
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: list('#/components/schemas/Relationship') } } } },
  },
  'GET /accept/{id}': {
    summary: 'The acceptance page behind an emailed link (changes nothing)',
    parameters: [{ name: 'token', in: 'query', required: true, schema: { type: 'string' } }],
    responses: {
      200: { description: 'HTML page with the accept/decline form (JSON with Accept: application/json)', content: { 'text/html': {} } },
      404: { description: 'NOT_FOUND' },
      409: { description: 'ALREADY_ACCEPTED, ALREADY_DECLINED or CANCELED' },
      410: { description: 'EXPIRED or LINK_REPLACED' },
    },
  },
  'HEAD /accept/{id}': { summary: 'Same as GET, without a body (changes nothing)', responses: { 200: { description: 'OK' } } },
  'POST /accept/{id}': {
    summary: 'Accept or decline',
    requestBody: {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: schema(decisionBody) }, 'application/json': { schema: schema(decisionBody) } },
    },
    responses: {
      200: {
        description: 'HTML confirmation, or JSON { invitation, relationship } with Accept: application/json',
        content: {
          'text/html': {},
          'application/json': {
            schema: {
              type: 'object',
              properties: { invitation: { $ref: '#/components/schemas/Invitation' }, relationship: { oneOf: [{ $ref: '#/components/schemas/Relationship' }, { type: 'null' }] } },
            },
          },
        },
      },
      404: { description: 'NOT_FOUND' },
      409: { description: 'ALREADY_ACCEPTED, ALREADY_DECLINED, CANCELED or RELATIONSHIP_EXISTS' },
      410: { description: 'EXPIRED or LINK_REPLACED' },
    },
  },
  'DELETE /invitations/{id}': {
    summary: 'Withdraw a pending invitation',
    responses: {
      200: { description: 'Canceled', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invitation' } } } },
      404: problemResponse('NOT_FOUND'),
      409: problemResponse('NOT_PENDING'),
    },
  },
  'POST /invitations/{id}/resend': {
    summary: 'Email a new link; the previous link then answers 410 LINK_REPLACED',
    responses: {
      202: { description: 'Resent', content: { 'application/json': { schema: { $ref: '#/components/schemas/Invitation' } } } },
      404: problemResponse('NOT_FOUND'),
      409: problemResponse('NOT_PENDING, or CONFLICT when another resend won at the same moment'),
      429: problemResponse('RESEND_LIMIT_REACHED (at most 5 resends)'),
    },
  },
  'DELETE /relationships/{customerDomain}': {
    summary: 'End the relationship with a customer',
    responses: {
      200: { description: 'Terminated', content: { 'application/json': { schema: { $ref: '#/components/schemas/Relationship' } } } },
      404: problemResponse('NOT_FOUND'),
      409: problemResponse('NOT_ACTIVE'),
    },
  },
  'GET /customer/relationships': {
    summary: "The customer's partners; format=csv exports them all",
    parameters: queryParameters(customerRelationshipsQuery),
    responses: {
      200: {
        description: 'A page, or the whole list as CSV',
        content: { 'application/json': { schema: list('#/components/schemas/Relationship') }, 'text/csv': { schema: { type: 'string' } } },
      },
    },
  },
  'DELETE /customer/relationships/{partnerId}': {
    summary: 'The customer ends its relationship with one partner; every other partner stays',
    responses: {
      200: { description: 'Terminated', content: { 'application/json': { schema: { $ref: '#/components/schemas/Relationship' } } } },
      404: problemResponse('NOT_FOUND'),
      409: problemResponse('NOT_ACTIVE'),
    },
  },
  'GET /audit': {
    summary: "The audit trail, newest first: a partner's own events, or the events about a customer",
    parameters: queryParameters(auditQuery),
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: list('#/components/schemas/AuditEvent') } } } },
  },
  'GET /openapi.json': { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
};

/** Builds the document for the given routes; every route must be described above. */
export function openApiDocument(routes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation = operations[`${route.method} ${route.path}`];
    if (operation === undefined) throw new Error(`No OpenAPI description for ${route.method} ${route.path}`);
    const parameters = [...((operation.parameters as unknown[] | undefined) ?? [])];
    for (const match of route.path.matchAll(/\{(\w+)\}/g)) parameters.unshift({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      ...operation,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.access === 'public'
        ? { security: [] }
        : {
            security: [{ bearerJwt: [] }],
            responses: { ...(operation.responses as object), 401: problemResponse('UNAUTHORIZED'), 403: problemResponse(FORBIDDEN[route.access]) },
          }),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Partner Relationships', version: '1.0.0', description: 'Partners ask customers for delegated admin access; customer admins accept or decline from an email.' },
    paths,
    components: {
      securitySchemes: {
        bearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT whose verified claims include partner_id (partners) or customer_domain (customer admins)' },
      },
      schemas: { Problem: problem, Invitation: invitation, Relationship: relationship, AuditEvent: auditEvent },
    },
  };
}
