import { MAX_REASON_LENGTH, denyReason, warnReason } from './anchore-reason';

const finding = (i: number) => ({
  gate: 'vulnerabilities',
  trigger: 'package',
  message: `HIGH CVE-2024-${String(i).padStart(4, '0')} in libfoo-${i}`,
  action: 'stop',
});

describe('denyReason', () => {
  it('names the policy, the tag, the final action and each gate/trigger', () => {
    const reason = denyReason(
      {
        passed: false,
        policyId: 'p1',
        finalAction: 'stop',
        findings: [finding(1), { gate: 'dockerfile', trigger: 'instruction', message: '', action: 'stop' }],
      },
      'docker.io/nginx:1.25',
    );
    expect(reason).toBe(
      'Anchore policy p1 failed for docker.io/nginx:1.25 (final action stop): vulnerabilities/package: HIGH CVE-2024-0001 in libfoo-1; dockerfile/instruction',
    );
  });

  it('stays within the bound and says how many findings were left out', () => {
    const findings = Array.from({ length: 200 }, (_, i) => finding(i));
    const reason = denyReason({ passed: false, policyId: 'p1', findings }, 'r.example/app:1');
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    const shown = reason.split('; ').filter((part) => part.includes('CVE-')).length;
    expect(reason).toMatch(new RegExp(`; and ${200 - shown} more$`));
    expect(shown).toBeGreaterThan(10);
  });

  it('lists a finding reported by several evaluations once, and cuts overlong ones', () => {
    const long = { gate: 'g', trigger: 't', message: 'x'.repeat(500), action: 'stop' };
    const reason = denyReason({ passed: false, findings: [finding(1), finding(1), long] }, 'r/a:1');
    expect(reason.match(/CVE-2024-0001/g)).toHaveLength(1);
    expect(reason.endsWith('…')).toBe(true);
    expect(reason.length).toBeLessThan(400);
  });

  it('falls back to the note when no finding says why', () => {
    expect(denyReason({ passed: false, finalAction: 'fail', findings: [], note: 'no evaluation' }, 'r/a:1')).toBe(
      'Anchore policy failed for r/a:1 (final action fail): no evaluation',
    );
  });
});

describe('warnReason', () => {
  it('is undefined for a clean pass and lists warnings otherwise', () => {
    expect(warnReason({ passed: true, finalAction: 'go', findings: [] }, 'r/a:1')).toBeUndefined();
    expect(
      warnReason({ passed: true, finalAction: 'warn', findings: [{ ...finding(3), action: 'warn' }] }, 'r/a:1'),
    ).toBe('Anchore policy passed with warnings for r/a:1: vulnerabilities/package: HIGH CVE-2024-0003 in libfoo-3');
  });
});
