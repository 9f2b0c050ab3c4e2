import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** Analysis attempts run in this process (embedded mode), by analyzer and outcome. */
export class AnalysisMetrics {
  readonly jobs: Counter<'analyzer' | 'outcome'>;

  constructor(registry: Registry) {
    this.jobs = new Counter({
      name: 'scangate_analysis_jobs_total',
      help: 'Analysis attempts, by analyzer and outcome (verdict, failed, pending, retry)',
      labelNames: ['analyzer', 'outcome'],
      registers: [registry],
    });
  }
}
