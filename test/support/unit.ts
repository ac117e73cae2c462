/** What unit tests of the services share: the configuration they run under, and the records they render. */
import { afterAll, beforeAll, vi } from 'vitest';
import { resetConfig } from '../../shared/config.js';
import type { Relationship } from '../../shared/relationships/model.js';

/** The settings every service reads; no endpoint, so SDK clients are those the test mocks. */
const UNIT_ENVIRONMENT: Readonly<Record<string, string>> = {
  TABLE_NAME: 'unit',
  PUBLIC_BASE_URL: 'https://example.test',
  SENDER_EMAIL: 'noreply@example.test',
  DYNAMODB_ENDPOINT: '',
  SES_ENDPOINT: '',
};

/** Stubs the service configuration (with `overrides`) for the enclosing suite, and puts the environment back after it. */
export function useUnitConfig(overrides: Readonly<Record<string, string>> = {}): void {
  beforeAll(() => {
    for (const [name, value] of Object.entries({ ...UNIT_ENVIRONMENT, ...overrides })) vi.stubEnv(name, value);
    resetConfig();
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    resetConfig();
  });
}

/** An active relationship of Fabrikam with contoso.com, granted by a signed-in admin; `overrides` changes any field. */
export const relationshipFixture = (overrides: Partial<Relationship> = {}): Relationship => ({
  id: 'rel-1',
  partnerId: 'fabrikam',
  partnerName: 'Fabrikam',
  customerDomain: 'contoso.com',
  roles: ['USER_ADMIN'],
  status: 'ACTIVE',
  startsAt: '2026-01-01T00:00:00.000Z',
  endsAt: '2026-02-01T00:00:00.000Z',
  autoExtend: false,
  invitationId: 'inv-1',
  acceptedBy: { email: 'admin@contoso.com', subject: 'sub-1', signedIn: true },
  ...overrides,
});
