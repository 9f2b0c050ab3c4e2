import { createHash } from 'node:crypto';
import type {
  ClairPackage,
  ClairVulnerability,
  ClairVulnerabilityReport,
  NormalizedSeverity,
} from './clair-wire.types';

/** Clair's normalized severities, least severe first (an unrecognised value counts as Unknown). */
export const SEVERITY_ORDER: readonly NormalizedSeverity[] = [
  'Unknown',
  'Negligible',
  'Low',
  'Medium',
  'High',
  'Critical',
];

/** The deny reason is shown in `kubectl` output and stored with the verdict: keep it short. */
export const MAX_REASON_LENGTH = 1000;

export interface ClairPolicy {
  /** A vulnerability that has a fix denies from this severity up. */
  readonly maxSeverity: string;
  /** A vulnerability without a fix denies from this severity up. */
  readonly maxUnfixedSeverity: string;
  /** Vulnerability ids (CVE-…, GHSA-…) that never deny. */
  readonly ignore: readonly string[];
}

/** One vulnerable package that the policy denies. */
export interface Finding {
  readonly id: string;
  readonly severity: NormalizedSeverity;
  readonly packageName: string;
  readonly installedVersion: string;
  /** Empty when there is no fix. */
  readonly fixedIn: string;
}

export function severityRank(severity: string): number {
  const rank = SEVERITY_ORDER.indexOf(severity as NormalizedSeverity);
  return rank === -1 ? 0 : rank;
}

const ADVISORY_ID = /\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})\b/gi;

/**
 * The ids a vulnerability is known by: its name, and the CVE/GHSA ids in its name and links
 * (distribution advisories such as ALSA-… or DSA-… name their CVEs in `links`).
 */
export function idsOf(vulnerability: ClairVulnerability): Set<string> {
  const ids = new Set<string>([vulnerability.name.toUpperCase()]);
  for (const text of [vulnerability.name, vulnerability.links ?? '']) {
    for (const match of text.matchAll(ADVISORY_ID)) ids.add(match[0].toUpperCase());
  }
  return ids;
}

/**
 * The findings of a vulnerability report that deny under `policy`, worst first (severity, then
 * id, then package). Each vulnerable package is listed once per vulnerability.
 */
export function deniedFindings(report: ClairVulnerabilityReport, policy: ClairPolicy): Finding[] {
  const ignored = new Set(policy.ignore.map((id) => id.toUpperCase()));
  const fixedFloor = severityRank(policy.maxSeverity);
  const unfixedFloor = severityRank(policy.maxUnfixedSeverity);
  const findings = new Map<string, Finding>();
  for (const [packageId, vulnerabilityIds] of Object.entries(report.package_vulnerabilities ?? {})) {
    for (const vulnerabilityId of vulnerabilityIds) {
      const vulnerability = report.vulnerabilities?.[vulnerabilityId];
      if (!vulnerability) continue;
      const fixedIn = vulnerability.fixed_in_version ?? '';
      const rank = severityRank(vulnerability.normalized_severity);
      if (rank < (fixedIn === '' ? unfixedFloor : fixedFloor)) continue;
      if ([...idsOf(vulnerability)].some((id) => ignored.has(id))) continue;
      const pkg: ClairPackage | undefined = report.packages?.[packageId] ?? vulnerability.package ?? undefined;
      const finding: Finding = {
        id: vulnerability.name || vulnerability.id,
        severity: SEVERITY_ORDER[rank] ?? 'Unknown',
        packageName: pkg?.name ?? 'unknown package',
        installedVersion: pkg?.version ?? '',
        fixedIn,
      };
      findings.set(`${finding.id}\u0000${finding.packageName}\u0000${finding.installedVersion}`, finding);
    }
  }
  return [...findings.values()].sort(worstFirst);
}

function worstFirst(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compare(a.id, b.id) ||
    compare(a.packageName, b.packageName) ||
    compare(a.installedVersion, b.installedVersion)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function describeFinding(finding: Finding): string {
  const installed = finding.installedVersion ? ` ${finding.installedVersion}` : '';
  const fix = finding.fixedIn ? `fixed in ${finding.fixedIn}` : 'no fix';
  return `${finding.id} (${finding.severity}) in ${finding.packageName}${installed}, ${fix}`;
}

/**
 * `Clair: 3 vulnerabilities denied by policy: CVE-… (Critical) in openssl 3.1.4-r0, fixed in
 * 3.1.4-r5; …; and 1 more`, at most `maxLength` characters (findings that do not fit are counted).
 */
export function denyReason(findings: readonly Finding[], maxLength = MAX_REASON_LENGTH): string {
  const noun = findings.length === 1 ? 'vulnerability' : 'vulnerabilities';
  const head = `Clair: ${findings.length} ${noun} denied by policy: `;
  let text = head;
  let shown = 0;
  for (const finding of findings) {
    const piece = (shown === 0 ? '' : '; ') + describeFinding(finding);
    const rest = findings.length - shown - 1;
    const tail = rest > 0 ? `; and ${rest} more` : '';
    // Keep room for the "and N more" that follows whatever does not fit.
    if (text.length + piece.length + tail.length > maxLength) break;
    text += piece;
    shown++;
  }
  const hidden = findings.length - shown;
  if (shown === 0) return `${head}${hidden} (too long to list)`.slice(0, maxLength);
  return hidden > 0 ? `${text}; and ${hidden} more` : text;
}

/** Stable hash of everything that shapes a Clair verdict: part of the verdict key. */
export function policyFingerprint(policy: ClairPolicy & { readonly platform: string }): string {
  const ignore = [...new Set(policy.ignore.map((id) => id.toUpperCase()))].sort();
  const canonical = JSON.stringify({
    v: 1,
    maxSeverity: SEVERITY_ORDER[severityRank(policy.maxSeverity)],
    maxUnfixedSeverity: SEVERITY_ORDER[severityRank(policy.maxUnfixedSeverity)],
    ignore,
    platform: policy.platform,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
