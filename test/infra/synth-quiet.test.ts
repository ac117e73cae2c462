/** `cdk synth --quiet` as an operator runs it: offline, no credentials, and silent on success. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/app-function.js';

describe('npx cdk synth --quiet', () => {
  it('synthesizes the stack and prints nothing: no feature-flag notice, no bundling chatter, no warning', () => {
    // Prepare
    const out = mkdtempSync(join(tmpdir(), 'synth-quiet-'));
    try {
      // Act
      const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', out], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      // Assess
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
      expect(existsSync(join(out, 'PartnerRelationships-public.template.json'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
