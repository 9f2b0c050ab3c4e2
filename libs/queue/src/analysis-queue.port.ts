import type { AnalysisSubject } from '@scangate/verdicts';

export type AnalysisJobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'unknown';

export interface EnqueueResult {
  readonly jobId: string;
  /** False when an analysis of the same subject was already waiting or running (deduplicated). */
  readonly created: boolean;
}

export interface AnalysisJobStatus {
  readonly jobId: string;
  readonly state: AnalysisJobState;
  readonly subject: AnalysisSubject;
  readonly attempts: number;
  /** Recorded outcome of a finished job: `verdict allowed|denied …` or the failure reason. */
  readonly outcome?: string;
  readonly enqueuedAt?: number;
  readonly finishedAt?: number;
}

/**
 * The producer side of analysis, used by the webhook and the admin API. Implementations: BullMQ
 * (a shared Redis queue consumed by `scangate worker`) and in-process (embedded mode). One job per
 * subject at a time; `force` adds a fresh job even when one is queued or finished (rescan).
 */
export interface AnalysisQueue {
  enqueue(subject: AnalysisSubject, options?: { readonly force?: boolean }): Promise<EnqueueResult>;
  status(jobId: string): Promise<AnalysisJobStatus | undefined>;
  /** Job counts by state, for `GET /admin/v1/queue`. */
  counts(): Promise<Record<AnalysisJobState, number>>;
  close(): Promise<void>;
}

export const ANALYSIS_QUEUE = Symbol('ANALYSIS_QUEUE');
