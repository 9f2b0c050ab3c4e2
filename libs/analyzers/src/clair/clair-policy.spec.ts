import fc from 'fast-check';
import { denyReason, deniedFindings, type Finding, idsOf, MAX_REASON_LENGTH, policyFingerprint } from './clair-policy';
import type { ClairVulnerability, ClairVulnerabilityReport } from './clair-wire.types';

function vuln(id: string, name: string, severity: string, fixedIn = '', links = ''): ClairVulnerability {
  return {
    id,
    name,
    normalized_severity: severity,
    fixed_in_version: fixedIn,
    links,
    package: { name: 'ignored-here' },
  };
}

/** A report where package `p<i>` (name, version) is affected by the given vulnerabilities. */
function report(
  entries: readonly { pkg: string; version: string; vulns: readonly ClairVulnerability[] }[],
): ClairVulnerabilityReport {
  const packages: Record<string, { id: string; name: string; version: string }> = {};
  const vulnerabilities: Record<string, ClairVulnerability> = {};
  const packageVulnerabilities: Record<string, string[]> = {};
  entries.forEach((entry, i) => {
    packages[`p${i}`] = { id: `p${i}`, name: entry.pkg, version: entry.version };
    packageVulnerabilities[`p${i}`] = entry.vulns.map((v) => v.id);
    for (const v of entry.vulns) vulnerabilities[v.id] = v;
  });
  return { manifest_hash: 'sha256:x', packages, vulnerabilities, package_vulnerabilities: packageVulnerabilities };
}

const policy = { maxSeverity: 'High', maxUnfixedSeverity: 'Critical', ignore: [] as string[] };

describe('deniedFindings', () => {
  it('denies a fixed vulnerability from maxSeverity up and an unfixed one from maxUnfixedSeverity up', () => {
    const r = report([
      {
        pkg: 'busybox',
        version: '1.36.1-r0',
        vulns: [
          vuln('1', 'CVE-2099-0001', 'High', '1.36.1-r99'),
          vuln('2', 'CVE-2099-0002', 'Medium', '1.36.1-r99'),
          vuln('3', 'CVE-2099-0003', 'High'),
          vuln('4', 'CVE-2099-0004', 'Critical'),
        ],
      },
    ]);
    expect(deniedFindings(r, policy).map((f) => f.id)).toEqual(['CVE-2099-0004', 'CVE-2099-0001']);
  });

  it('never denies an ignored id, matched by name or by a CVE named in the links', () => {
    const r = report([
      {
        pkg: 'openssl',
        version: '3.1.4-r0',
        vulns: [
          vuln('1', 'cve-2099-0001', 'Critical', '3.1.4-r5'),
          vuln('2', 'ALSA-2099-17', 'Critical', '3.1.4-r5', 'https://security.alpinelinux.org/vuln/CVE-2099-0002'),
          vuln('3', 'CVE-2099-0003', 'Critical', '3.1.4-r5'),
        ],
      },
    ]);
    const findings = deniedFindings(r, { ...policy, ignore: ['CVE-2099-0001', 'CVE-2099-0002'] });
    expect(findings.map((f) => f.id)).toEqual(['CVE-2099-0003']);
  });

  it('names the package and installed version from the report, worst first then by id', () => {
    const r = report([
      { pkg: 'zlib', version: '1.3-r0', vulns: [vuln('a', 'CVE-2099-0009', 'High', '1.3-r2')] },
      {
        pkg: 'musl',
        version: '1.2.4-r1',
        vulns: [vuln('b', 'CVE-2099-0005', 'Critical', '1.2.4-r3'), vuln('c', 'CVE-2099-0001', 'High', '1.2.4-r3')],
      },
    ]);
    expect(deniedFindings(r, policy)).toEqual([
      {
        id: 'CVE-2099-0005',
        severity: 'Critical',
        packageName: 'musl',
        installedVersion: '1.2.4-r1',
        fixedIn: '1.2.4-r3',
      },
      { id: 'CVE-2099-0001', severity: 'High', packageName: 'musl', installedVersion: '1.2.4-r1', fixedIn: '1.2.4-r3' },
      { id: 'CVE-2099-0009', severity: 'High', packageName: 'zlib', installedVersion: '1.3-r0', fixedIn: '1.3-r2' },
    ]);
  });

  it('counts an unrecognised severity as Unknown', () => {
    const r = report([{ pkg: 'x', version: '1', vulns: [vuln('1', 'CVE-2099-0001', 'Defcon1', '2')] }]);
    expect(deniedFindings(r, policy)).toEqual([]);
    expect(deniedFindings(r, { ...policy, maxSeverity: 'Unknown' })).toHaveLength(1);
  });

  it('allows an empty report', () => {
    expect(deniedFindings({ manifest_hash: 'sha256:x' }, policy)).toEqual([]);
  });
});

describe('idsOf', () => {
  it('collects CVE and GHSA ids from name and links, upper-cased', () => {
    const ids = idsOf(
      vuln('1', 'GHSA-abcd-efgh-jkmp', 'Low', '', 'https://nvd.nist.gov/vuln/detail/cve-2024-12345 https://x/y'),
    );
    expect([...ids].sort()).toEqual(['CVE-2024-12345', 'GHSA-ABCD-EFGH-JKMP']);
  });
});

describe('denyReason', () => {
  const finding = (i: number): Finding => ({
    id: `CVE-2099-${String(i).padStart(4, '0')}`,
    severity: 'High',
    packageName: 'busybox',
    installedVersion: '1.36.1-r0',
    fixedIn: i % 2 === 0 ? '1.36.1-r99' : '',
  });

  it('names the finding, its package, installed version and fix', () => {
    expect(denyReason([finding(2), finding(3)])).toBe(
      'Clair: 2 vulnerabilities denied by policy: CVE-2099-0002 (High) in busybox 1.36.1-r0, fixed in 1.36.1-r99; ' +
        'CVE-2099-0003 (High) in busybox 1.36.1-r0, no fix',
    );
  });

  it('lists what fits and counts the rest', () => {
    const findings = Array.from({ length: 200 }, (_, i) => finding(i));
    const reason = denyReason(findings);
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    const listed = reason.match(/CVE-2099-\d{4}/g) ?? [];
    expect(reason).toMatch(new RegExp(`; and ${200 - listed.length} more$`));
    expect(listed[0]).toBe('CVE-2099-0000');
  });

  it('never exceeds the limit, whatever the findings', () => {
    const arbitraryFinding = fc.record({
      id: fc.string({ maxLength: 300 }),
      severity: fc.constantFrom('Low' as const, 'High' as const, 'Critical' as const),
      packageName: fc.string({ maxLength: 300 }),
      installedVersion: fc.string({ maxLength: 50 }),
      fixedIn: fc.string({ maxLength: 50 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryFinding, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 80, max: 2000 }),
        (findings, limit) => {
          const reason = denyReason(findings, limit);
          expect(reason.length).toBeLessThanOrEqual(limit);
          expect(reason.startsWith(`Clair: ${findings.length} `)).toBe(true);
        },
      ),
    );
  });
});

describe('policyFingerprint', () => {
  const base = {
    maxSeverity: 'High',
    maxUnfixedSeverity: 'Critical',
    ignore: ['CVE-2099-0002', 'CVE-2099-0001'],
    platform: 'linux/amd64',
  };

  it('ignores the order and case of the ignore list', () => {
    expect(policyFingerprint(base)).toBe(
      policyFingerprint({ ...base, ignore: ['cve-2099-0001', 'CVE-2099-0002', 'CVE-2099-0001'] }),
    );
  });

  it('changes with each policy setting', () => {
    const fingerprints = new Set([
      policyFingerprint(base),
      policyFingerprint({ ...base, maxSeverity: 'Medium' }),
      policyFingerprint({ ...base, maxUnfixedSeverity: 'High' }),
      policyFingerprint({ ...base, ignore: [] }),
      policyFingerprint({ ...base, platform: 'linux/arm64' }),
    ]);
    expect(fingerprints.size).toBe(5);
  });
});
