import { afterEach, describe, expect, it, vi } from 'vitest';

describe('business metrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('writes each count as one EMF line in the PartnerRelationships namespace, with no tenant data', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const { countMetric } = await import('../../shared/metrics.js');
    // Act
    countMetric('InvitationsAccepted');
    countMetric('InvitationsExpired', 0);
    // Assess
    const emf = lines.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => '_aws' in line);
    expect(emf).toHaveLength(1);
    expect(emf[0]?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'PartnerRelationships', Metrics: [{ Name: 'InvitationsAccepted', Unit: 'Count' }] });
    expect(emf[0]?.InvitationsAccepted).toBe(1);
    expect(emf[0]?.service).toBe('partner-relationships');
  });
});
