import type { DecisionRecord } from '@scangate/policy';
import type { Logger } from 'pino';

/**
 * One structured line per review, from a child logger carrying the request's identity.
 * Break-glass is logged at warn: it must always be visible. Images appear only in violations.
 */
export class DecisionLogger {
  constructor(private readonly logger: Logger) {}

  record(record: DecisionRecord, endpoint: string): void {
    const log = this.logger.child({
      endpoint,
      uid: record.uid,
      namespace: record.namespace,
      kind: record.kind,
      name: record.name,
      operation: record.operation,
      dryRun: record.dryRun,
    });
    const fields = {
      decision: record.decision,
      mode: record.mode,
      reason: record.reason,
      images: record.images,
      violations: record.violations.map((v) => ({ rule: v.rule, path: v.path, image: v.image.slice(0, 256) })),
      ...(record.breakGlass !== undefined ? { breakGlass: record.breakGlass } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
    };
    if (record.breakGlass !== undefined) log.warn(fields, 'break-glass admission');
    else if (record.error !== undefined) log.error(fields, 'review failed; onError decided');
    else log.info(fields, `review ${record.decision}`);
  }
}
