import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** How one analysis attempt ended: a verdict, a recorded failure, re-scheduled (pending), or retried. */
export type AnalysisAttemptResult = 'verdict' | 'failed' | 'pending' | 'retry';

export type CircuitState = 'closed' | 'open' | 'half-open';
const CIRCUIT_STATES: readonly CircuitState[] = ['closed', 'open', 'half-open'];

/**
 * Analysis metrics (PRODUCT.md §5), defined once for the worker process and for embedded mode's
 * in-process queue. Labels: the analyzer name and the attempt's result — never an image or digest.
 */
export class AnalysisMetrics {
  private readonly jobs: Counter<'analyzer' | 'outcome'>;
  private readonly duration: Histogram<'analyzer'>;
  private readonly circuit: Gauge<'analyzer' | 'state'>;

  constructor(registry: Registry) {
    this.jobs = new Counter({
      name: 'scangate_analysis_jobs_total',
      help: 'Analysis attempts, by analyzer and outcome (verdict, failed, pending, retry)',
      labelNames: ['analyzer', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'scangate_analysis_duration_seconds',
      help: 'Time of one analysis attempt (resolve, analyze, store)',
      labelNames: ['analyzer'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    });
    this.circuit = new Gauge({
      name: 'scangate_analyzer_circuit_state',
      help: "The analyzer circuit breaker's state: 1 for the current one of closed, open, half-open",
      labelNames: ['analyzer', 'state'],
      registers: [registry],
    });
  }

  /** The breaker's new state (one-hot, so `{state="open"} == 1` is the alert). */
  circuitState(analyzer: string, state: CircuitState): void {
    for (const each of CIRCUIT_STATES) this.circuit.set({ analyzer, state: each }, each === state ? 1 : 0);
  }

  record(analyzer: string, result: AnalysisAttemptResult, durationMs: number): void {
    this.jobs.inc({ analyzer, outcome: result });
    this.duration.observe({ analyzer }, durationMs / 1000);
  }
}
