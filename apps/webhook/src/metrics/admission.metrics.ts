import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * Admission metrics (PRODUCT.md §5), defined once. Labels are low-cardinality words: decision
 * (allow|deny), mode, reason (passed|violations|exempt|break-glass|not-applicable|internal-error|
 * bad-request) — never an image, digest or namespace.
 */
export class AdmissionMetrics {
  readonly requests: Counter<'decision' | 'mode' | 'reason'>;
  readonly duration: Histogram<'endpoint'>;
  readonly breakGlass: Counter;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'scangate_admission_requests_total',
      help: 'Admission reviews answered, by decision, mode and reason',
      labelNames: ['decision', 'mode', 'reason'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'scangate_admission_duration_seconds',
      help: 'Server time to answer an admission review',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.breakGlass = new Counter({
      name: 'scangate_break_glass_total',
      help: 'Admissions allowed by a break-glass annotation',
      registers: [registry],
    });
  }
}
