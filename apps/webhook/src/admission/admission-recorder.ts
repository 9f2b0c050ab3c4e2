import type { ReviewOutcome } from '@scangate/policy';
import type { DecisionLogger } from '../logging/decision.logger';
import type { AdmissionMetrics } from '../metrics/admission.metrics';

/** Logging and metrics around the decision chain: recorded once per answered review. */
export class AdmissionRecorder {
  constructor(
    private readonly decisions: DecisionLogger,
    private readonly metrics: AdmissionMetrics,
  ) {}

  record(outcome: ReviewOutcome, endpoint: string, startedAt: bigint): void {
    const { record } = outcome;
    this.metrics.duration.observe({ endpoint }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    this.metrics.requests.inc({ decision: record.decision, mode: record.mode, reason: record.reason });
    if (record.reason === 'break-glass') this.metrics.breakGlass.inc();
    this.decisions.record(record, endpoint);
  }
}
