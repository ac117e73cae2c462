import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { jwtVerify } from 'jose';
import type * as Jose from 'jose';
import { loadOrCreateKeys, signToken, verifyToken, type LocalKeys } from '../../infra/local/jwt.js';

vi.mock('jose', async (importOriginal) => {
  const jose = await importOriginal<typeof Jose>();
  return { ...jose, jwtVerify: vi.fn(jose.jwtVerify) };
});

let dirs: string[] = [];
let keys: LocalKeys;
let otherKeys: LocalKeys;
const partner = { kind: 'partner', partnerId: 'fabrikam' } as const;

beforeAll(async () => {
  dirs = [mkdtempSync(join(tmpdir(), 'jwt-a-')), mkdtempSync(join(tmpdir(), 'jwt-b-'))];
  keys = await loadOrCreateKeys(dirs[0]!);
  otherKeys = await loadOrCreateKeys(dirs[1]!);
});

afterEach(() => {
  vi.useRealTimers();
  vi.mocked(jwtVerify).mockClear();
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the local gateway token check', () => {
  it('checks the signature of a token once, then remembers it', async () => {
    // Prepare
    const token = await signToken(keys, partner);
    // Act
    const first = await verifyToken(keys, token);
    const again = await verifyToken(keys, token);
    // Assess
    expect(again).toEqual(first);
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('refuses a remembered token once its exp has passed', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), toFake: ['Date'] });
    const token = await signToken(keys, partner, { ttlSeconds: 60 });
    await verifyToken(keys, token);
    // Act
    vi.setSystemTime(new Date('2030-01-01T00:00:59Z'));
    const stillValid = await verifyToken(keys, token);
    vi.setSystemTime(new Date('2030-01-01T00:01:00Z'));
    const expired = verifyToken(keys, token);
    // Assess
    expect(stillValid.exp).toBe(Date.parse('2030-01-01T00:01:00Z') / 1000);
    await expect(expired).rejects.toThrow(/exp/);
  });

  it('remembers a token only for the key that verified it', async () => {
    // Prepare
    const token = await signToken(keys, partner);
    await verifyToken(keys, token);
    // Act / Assess
    await expect(verifyToken(otherKeys, token)).rejects.toThrow();
  });

  it('hands out a copy of the claims, so a handler changing them changes nothing for the next request', async () => {
    // Prepare
    const token = await signToken(keys, partner);
    const first = await verifyToken(keys, token);
    // Act
    first['custom:partner_id'] = 'someone-else';
    const again = await verifyToken(keys, token);
    // Assess
    expect(again['custom:partner_id']).toBe('fabrikam');
  });
});
