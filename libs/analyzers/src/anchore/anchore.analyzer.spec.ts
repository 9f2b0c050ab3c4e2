import { anchoreFingerprint } from './anchore.analyzer';

const base = { url: 'http://anchore:8228', username: 'u', password: 'p', apiVersion: 'auto' as const };

describe('anchoreFingerprint', () => {
  it('is stable, ignores credentials and URL, and changes with the policy, the account and the API choice', () => {
    const fingerprint = anchoreFingerprint(base);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(anchoreFingerprint({ ...base, password: 'rotated', url: 'http://other:8228' })).toBe(fingerprint);
    const variants = [
      anchoreFingerprint({ ...base, policyId: 'p1' }),
      anchoreFingerprint({ ...base, policyId: 'p2' }),
      anchoreFingerprint({ ...base, account: 'team-a' }),
      anchoreFingerprint({ ...base, apiVersion: 'v2' }),
    ];
    expect(new Set([fingerprint, ...variants]).size).toBe(5);
  });
});
