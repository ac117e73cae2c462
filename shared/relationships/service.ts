/** Both sides' view of relationships (ending one is in ./end.ts, so the lists load no mailer). */
import * as z from 'zod';
import { now } from '../clock.js';
import { pageQuery } from '../invitations/schema.js';
import {
  RELATIONSHIP_STATUSES,
  isActiveAt,
  overlapsOf,
  powerRoleOverlaps,
  toRelationshipView,
  type CustomerRelationship,
  type Relationship,
} from './model.js';
import { queryActiveCustomerRelationships, queryCustomerRelationships, queryPartnerRelationships, type Page } from './repository.js';

export const listRelationshipsQuery = z.strictObject({ ...pageQuery, status: z.enum(RELATIONSHIP_STATUSES).optional() });
export type ListRelationshipsQuery = z.output<typeof listRelationshipsQuery>;

export const customerRelationshipsQuery = z.strictObject({ ...listRelationshipsQuery.shape, format: z.enum(['json', 'csv']).default('json') });
export type CustomerRelationshipsQuery = z.output<typeof customerRelationshipsQuery>;

/** A page of the partner's relationships, with each status as of now. */
export async function listRelationships(partnerId: string, query: ListRelationshipsQuery): Promise<Page<Relationship>> {
  const at = now();
  const page = await queryPartnerRelationships(partnerId, { ...query, at: at.toISOString() });
  return { items: page.items.map((item) => toRelationshipView(item, at)), nextCursor: page.nextCursor };
}

/**
 * A page of the customer's relationships: every partner it works or worked with, each row marked
 * with the power roles it shares with another active partner (computed over all the customer's
 * active relationships, not just this page).
 */
export async function listCustomerRelationships(customerDomain: string, query: ListRelationshipsQuery): Promise<Page<CustomerRelationship>> {
  const at = now();
  const page = await customerPage(customerDomain, query, at);
  // A first and only page of every (or every active) relationship already holds all the active ones.
  const whole = query.cursor === undefined && page.nextCursor === null && (query.status === undefined || query.status === 'ACTIVE');
  return { items: await withOverlaps(customerDomain, page.items, at, whole), nextCursor: page.nextCursor };
}

/** Every relationship of the customer (all pages), for the CSV export. */
export async function allCustomerRelationships(customerDomain: string, status: ListRelationshipsQuery['status']): Promise<CustomerRelationship[]> {
  const at = now();
  const all: Relationship[] = [];
  let cursor: string | undefined;
  do {
    const page = await customerPage(customerDomain, { limit: 100, cursor, status }, at);
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return withOverlaps(customerDomain, all, at, status === undefined || status === 'ACTIVE');
}

async function customerPage(customerDomain: string, query: ListRelationshipsQuery, at: Date): Promise<Page<Relationship>> {
  const page = await queryCustomerRelationships(customerDomain, { ...query, at: at.toISOString() });
  return { items: page.items.map((item) => toRelationshipView(item, at)), nextCursor: page.nextCursor };
}

/**
 * Marks each row with its overlaps. `whole` says the rows hold every active relationship of the
 * customer; otherwise those are read (only when a row is active: an inactive row overlaps nothing).
 */
async function withOverlaps(customerDomain: string, rows: readonly Relationship[], at: Date, whole: boolean): Promise<CustomerRelationship[]> {
  const anyActive = rows.some((row) => isActiveAt(row, at));
  const active = !anyActive ? [] : whole ? rows : await queryActiveCustomerRelationships(customerDomain, at);
  const overlaps = powerRoleOverlaps(active, at);
  return rows.map((row) => ({ ...row, overlaps: overlapsOf(row, overlaps) }));
}

const CSV_COLUMNS = ['partnerId', 'partnerName', 'status', 'roles', 'requestedRoles', 'acceptedBy', 'startsAt', 'endsAt', 'autoExtend', 'terminatedAt', 'terminatedBy', 'overlaps'] as const;

/** The customer's relationships as CSV; cells that a spreadsheet would run as a formula are defused. */
export function toCsv(relationships: readonly CustomerRelationship[]): string {
  const cell = (value: unknown) => {
    let text = Array.isArray(value) ? value.join(' ') : value === undefined || value === null ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  // Who granted it, by address (`signedIn` says whether they proved it by signing in).
  // Each shared power role with every partner holding it: `USER_ADMIN:adatum+fabrikam`.
  const value = (r: CustomerRelationship, column: (typeof CSV_COLUMNS)[number]) =>
    column === 'acceptedBy' ? r.acceptedBy.email : column === 'overlaps' ? r.overlaps.map((o) => `${o.role}:${o.partnerIds.join('+')}`) : r[column];
  const rows = relationships.map((r) => CSV_COLUMNS.map((column) => cell(value(r, column))).join(','));
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
