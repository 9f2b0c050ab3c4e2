import type { DecisionRecord } from '@scangate/policy';
import type { Logger } from 'pino';

/**
 * One structured line per review carrying the request's identity (uid, namespace, kind, name,
 * operation). Written from one logger rather than a child per request: a child serialises its
 * bindings on creation, which showed up as the single largest allocation on the admission path.
 * Break-glass is logged at warn: it must always be visible. Images appear only in violations.
 */
/** As in the denial message: a Pod of 10,000 bad containers must not make a 10,000-entry line. */
const MAX_LOGGED_VIOLATIONS = 20;

export class DecisionLogger {
  constructor(private readonly logger: Logger) {}

  record(record: DecisionRecord, endpoint: string): void {
    const level = record.breakGlass !== undefined ? 'warn' : record.error !== undefined ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const fields = {
      endpoint,
      uid: record.uid,
      namespace: record.namespace,
      kind: record.kind,
      name: record.name,
      operation: record.operation,
      dryRun: record.dryRun,
      decision: record.decision,
      mode: record.mode,
      reason: record.reason,
      images: record.images,
      violationCount: record.violations.length,
      violations: record.violations
        .slice(0, MAX_LOGGED_VIOLATIONS)
        .map((v) => ({ rule: v.rule, path: v.path, image: v.image.slice(0, 256) })),
      ...(record.breakGlass !== undefined ? { breakGlass: record.breakGlass } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
    };
    const message =
      level === 'warn'
        ? 'break-glass admission'
        : level === 'error'
          ? 'review failed; onError decided'
          : `review ${record.decision}`;
    this.logger[level](fields, message);
  }
}
