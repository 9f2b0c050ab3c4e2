import type { ReviewOutcome } from '@scangate/policy';

/** The default, human output of `scangate review`: one headline per document, then the reasons. */
export function summarize(source: string, outcome: ReviewOutcome): string {
  const { record } = outcome;
  const verdict = record.decision === 'deny' ? 'DENIED' : 'ALLOWED';
  const detail =
    record.reason === 'passed' || record.reason === 'violations'
      ? `${record.images} image(s), mode ${record.mode}`
      : record.reason;
  const lines = [`${verdict}  ${source}  (${detail})`];
  for (const v of record.violations.slice(0, 50)) {
    lines.push(`  ${v.path}${v.image ? ` ${JSON.stringify(v.image.slice(0, 200))}` : ''}: ${v.message} [${v.rule}]`);
  }
  if (record.violations.length > 50) lines.push(`  … and ${record.violations.length - 50} more`);
  return `${lines.join('\n')}\n`;
}
