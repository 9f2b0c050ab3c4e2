import type { Violation } from './policy.types';

/** Limits that keep answers readable and within what the API server and kubectl pass on. */
export const MESSAGE_LIMITS = {
  /** Violations listed in a denial before "… and N more". */
  listedViolations: 20,
  /** Characters of one attacker-supplied reference quoted in a message. */
  quotedImage: 200,
  /** Kubernetes truncates or drops longer warnings; scangate promises ≤ 120. */
  warningLength: 120,
  warnings: 20,
} as const;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function describe(v: Violation): string {
  const subject =
    v.image === '' ? v.path : `${v.path} (${JSON.stringify(truncate(v.image, MESSAGE_LIMITS.quotedImage))})`;
  return `${subject}: ${v.message} [${v.rule}]`;
}

/** One message naming each image, its JSON path and the rule, bounded in length. */
export function denialMessage(violations: readonly Violation[]): string {
  const listed = violations.slice(0, MESSAGE_LIMITS.listedViolations).map((v) => `- ${describe(v)}`);
  const more = violations.length - listed.length;
  const header =
    violations.length === 1
      ? 'scangate denied the request: 1 policy violation'
      : `scangate denied the request: ${violations.length} policy violations`;
  return [header, ...listed, ...(more > 0 ? [`- … and ${more} more`] : [])].join('\n');
}

/** AdmissionReview warnings: short lines (kubectl shows each as `Warning: …`). */
export function violationWarnings(violations: readonly Violation[], prefix: string): string[] {
  const listed = violations
    .slice(0, MESSAGE_LIMITS.warnings - 1)
    .map((v) =>
      truncate(
        `${prefix}${v.path} ${v.image === '' ? '' : `${v.image} `}violates ${v.rule}: ${v.message}`,
        MESSAGE_LIMITS.warningLength,
      ),
    );
  const more = violations.length - listed.length;
  return more > 0 ? [...listed, `${prefix}… and ${more} more policy violations`] : listed;
}
