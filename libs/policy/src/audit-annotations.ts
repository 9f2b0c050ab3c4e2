import { truncate } from './denial-message';
import type { Violation } from './policy.types';

/** Annotation values are stored in every audit event: keep them short. */
const MAX_VALUE = 512;

export type AuditDecision =
  'allowed' | 'denied' | 'warned' | 'audited' | 'exempt' | 'break-glass' | 'skipped' | 'error';

/**
 * Keys carry no `/`: the API server stores them as `<webhook name>/<key>`
 * (e.g. `images.scangate.io/decision`), and rejects keys that are not a single qualified name.
 */
export function auditAnnotations(fields: {
  decision: AuditDecision;
  mode: string;
  analyzer?: string;
  violations?: readonly Violation[];
  digests?: readonly string[];
  breakGlass?: string;
}): Record<string, string> {
  const annotations: Record<string, string> = { decision: fields.decision, mode: fields.mode };
  if (fields.analyzer) annotations['analyzer'] = fields.analyzer;
  const rules = [...new Set(fields.violations?.map((v) => v.rule))];
  if (rules.length > 0) annotations['rules'] = rules.join(',');
  if (fields.digests && fields.digests.length > 0)
    annotations['digests'] = truncate(fields.digests.join(','), MAX_VALUE);
  if (fields.breakGlass !== undefined) annotations['break-glass'] = truncate(fields.breakGlass, MAX_VALUE);
  return annotations;
}
