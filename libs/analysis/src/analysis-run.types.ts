/** How the queue runs one attempt of an analysis. */
export interface AnalysisRunOptions {
  /** Aborted when the worker shuts down or the job is cancelled; nothing is written after it. */
  readonly signal: AbortSignal;
  /** 1-based attempt number (retries after transient failures; pending re-schedules do not count). */
  readonly attempt: number;
  /** No retry follows: a transient failure is recorded as the subject's failure instead of thrown. */
  readonly finalAttempt: boolean;
  /** Epoch ms when the analysis was requested; bounds how long a scanner may stay pending. */
  readonly requestedAt?: number;
  /** A rescan: analyse even when the resolved digest already has a verdict. */
  readonly force?: boolean;
}

/**
 * What one attempt ended with. `done`: the subject has a verdict or a recorded failure, waiters
 * were woken, and `outcome` is the short line the queue keeps for `GET /admin/v1/analyses/ID`.
 * `retry-after`: the scanner is still working; the queue re-schedules the job after `delayMs`
 * without holding a worker slot. Transient failures are thrown as TransientAnalysisError.
 */
export type AnalysisRunResult = AnalysisDone | AnalysisRetryAfter;

export interface AnalysisDone {
  readonly kind: 'done';
  /** `verdict`: allowed or denied (incl. a permanent registry error); `failed`: recorded failure. */
  readonly status: 'verdict' | 'failed';
  readonly outcome: string;
}

export interface AnalysisRetryAfter {
  readonly kind: 'retry-after';
  readonly delayMs: number;
  readonly outcome: string;
}

/**
 * A failure worth retrying with backoff (registry or analyzer unreachable, store down, aborted):
 * the queue retries it, and nothing was recorded for the subject.
 */
export class TransientAnalysisError extends Error {
  override readonly name = 'TransientAnalysisError';
  readonly code = 'ANALYSIS_TRANSIENT';
  constructor(
    message: string,
    /** True when the attempt stopped because its signal was aborted (shutdown, cancel). */
    readonly aborted = false,
  ) {
    super(message);
  }
}
