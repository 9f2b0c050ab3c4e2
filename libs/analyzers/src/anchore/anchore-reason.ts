import type { PolicyFinding, PolicyOutcome } from './anchore-evaluation';

/** Verdict reasons stay readable in a kubectl error and in logs. */
export const MAX_REASON_LENGTH = 1000;
const MAX_FINDING_LENGTH = 200;

/**
 * `Anchore policy <id> failed for <tag>: <gate>/<trigger>: <message>; …; and N more`, at most
 * MAX_REASON_LENGTH characters: as many whole findings as fit, then how many were left out.
 */
export function denyReason(outcome: PolicyOutcome, tag: string): string {
  const policy = outcome.policyId !== undefined ? `Anchore policy ${outcome.policyId}` : 'Anchore policy';
  const action = outcome.finalAction !== undefined ? ` (final action ${outcome.finalAction})` : '';
  const head = `${policy} failed for ${tag}${action}`;
  const items = uniqueFindings(outcome.findings).map(describeFinding);
  if (outcome.note !== undefined) items.unshift(outcome.note);
  return bounded(head, items);
}

/** For an allow with warnings: `Anchore policy … passed with warnings: …` (also bounded). */
export function warnReason(outcome: PolicyOutcome, tag: string): string | undefined {
  if (outcome.finalAction !== 'warn' && outcome.findings.length === 0) return undefined;
  const policy = outcome.policyId !== undefined ? `Anchore policy ${outcome.policyId}` : 'Anchore policy';
  return bounded(`${policy} passed with warnings for ${tag}`, uniqueFindings(outcome.findings).map(describeFinding));
}

function describeFinding(finding: PolicyFinding): string {
  const name = [finding.gate, finding.trigger].filter((part) => part !== '').join('/') || 'finding';
  const text = finding.message === '' ? name : `${name}: ${finding.message}`;
  return text.length > MAX_FINDING_LENGTH ? `${text.slice(0, MAX_FINDING_LENGTH - 1)}…` : text;
}

/** The same gate/trigger/message reported by several evaluations (history) is one finding. */
function uniqueFindings(findings: readonly PolicyFinding[]): PolicyFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.gate}\u0000${finding.trigger}\u0000${finding.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function bounded(head: string, items: readonly string[]): string {
  if (items.length === 0) return head;
  let text = `${head}: `;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] ?? '';
    const separator = i === 0 ? '' : '; ';
    const left = items.length - i - 1;
    // Room for this item, and for "; and N more" when others must be left out after it.
    const tail = left > 0 ? `; and ${left} more`.length : 0;
    if (text.length + separator.length + item.length + tail > MAX_REASON_LENGTH) {
      // The head itself is too long (a huge tag): cut, rather than drop the only finding.
      if (i === 0) return `${(text + item).slice(0, MAX_REASON_LENGTH - 1)}…`;
      return `${text}; and ${items.length - i} more`;
    }
    text += separator + item;
  }
  return text;
}
