import type { CacheConfig, RedisConfig } from '@scangate/config';
import type { AnalysisSubject } from '@scangate/verdicts';
import type { ConnectionOptions, Job, JobState } from 'bullmq';
import { Queue } from 'bullmq';
import type { AnalysisJobState, AnalysisJobStatus, AnalysisQueue, EnqueueResult } from './analysis-queue.port';
import type { AnalysisJobData, AnalysisJobResult } from './analysis-queue.contract';
import {
  ANALYSIS_QUEUE_NAME,
  ANALYZE_JOB,
  analysisDedupId,
  analysisJobId,
  analysisJobOptions,
  analysisQueuePrefix,
  isAnalysisJobId,
} from './analysis-queue.contract';

export interface BullAnalysisQueueOptions {
  /** An ioredis client or cluster (shared: the caller quits it), or connection options. */
  readonly connection: ConnectionOptions;
  readonly redis: Pick<RedisConfig, 'prefix'>;
  readonly cache: Pick<CacheConfig, 'errorBackoffMs'>;
  /** Override of ANALYSIS_ATTEMPTS (tests). */
  readonly attempts?: number;
  readonly now?: () => number;
}

export type AnalysisBullQueue = Queue<AnalysisJobData, AnalysisJobResult, typeof ANALYZE_JOB>;

/**
 * The producer side over BullMQ (consumed by `scangate worker`). One job per subject while one is
 * waiting, delayed or running: BullMQ's `deduplication: { id }` (set atomically in the add script,
 * so a hundred concurrent enqueues make one job) lasts until that job completes or fails, and every
 * job has its own id, so neither a kept finished job nor a failure ever blocks the next analysis.
 */
export class BullAnalysisQueue implements AnalysisQueue {
  readonly queue: AnalysisBullQueue;
  private readonly now: () => number;

  constructor(options: BullAnalysisQueueOptions) {
    this.now = options.now ?? Date.now;
    this.queue = new Queue<AnalysisJobData, AnalysisJobResult, typeof ANALYZE_JOB>(ANALYSIS_QUEUE_NAME, {
      connection: options.connection,
      prefix: analysisQueuePrefix(options.redis),
      defaultJobOptions: analysisJobOptions(options.cache, options.attempts),
    });
  }

  async enqueue(subject: AnalysisSubject, options: { readonly force?: boolean } = {}): Promise<EnqueueResult> {
    const dedupId = analysisDedupId(subject);
    // A rescan must not be folded into the job already queued or running (it may have read the
    // registry or the scanner before whatever prompted the rescan): drop the dedup key so this
    // add makes a fresh job, which later enqueues are folded into. The older job still finishes.
    if (options.force) await this.queue.removeDeduplicationKey(dedupId);
    const first = await this.add(subject, dedupId, options.force === true);
    if (first.result.created) return first.result;

    // Folded into an existing job. If that job is gone (removed by hand, lost in a failover) its
    // dedup key would block the subject for good: clear it, only while it still names that job.
    const state = await this.queue.getJobState(first.result.jobId);
    if (state !== 'unknown') return first.result;
    await first.job.removeDeduplicationKey();
    return (await this.add(subject, dedupId, options.force === true)).result;
  }

  async status(jobId: string): Promise<AnalysisJobStatus | undefined> {
    if (!isAnalysisJobId(jobId)) return undefined;
    // State first, then the job: the job's fields are then at least as new as its state (a job
    // that finishes in between shows its outcome, never a finished state without one).
    const state = await this.queue.getJobState(jobId);
    if (state === 'unknown') return undefined;
    const job = await this.queue.getJob(jobId);
    if (!job) return undefined;
    return toStatus(job, state);
  }

  async counts(): Promise<Record<AnalysisJobState, number>> {
    const raw = await this.queue.getJobCounts(
      'waiting',
      'prioritized',
      'waiting-children',
      'paused',
      'delayed',
      'active',
      'completed',
      'failed',
    );
    const n = (state: string): number => raw[state] ?? 0;
    return {
      waiting: n('waiting') + n('prioritized') + n('waiting-children') + n('paused'),
      delayed: n('delayed'),
      active: n('active'),
      completed: n('completed'),
      failed: n('failed'),
      unknown: 0,
    };
  }

  /** Closes the queue's own connections; a shared ioredis client passed in is left to its owner. */
  async close(): Promise<void> {
    await this.queue.close();
  }

  private async add(
    subject: AnalysisSubject,
    dedupId: string,
    force: boolean,
  ): Promise<{ result: EnqueueResult; job: Job<AnalysisJobData, AnalysisJobResult> }> {
    const now = this.now();
    const jobId = analysisJobId(subject, now);
    const data: AnalysisJobData = { subject, requestedAt: now, ...(force ? { force: true } : {}) };
    const job = await this.queue.add(ANALYZE_JOB, data, { jobId, deduplication: { id: dedupId } });
    // When deduplicated, BullMQ answers with the id of the job that already holds the key.
    const id = job.id ?? jobId;
    return { result: { jobId: id, created: id === jobId }, job };
  }
}

/** BullMQ's view of a job, as the admin API shows it. */
export function toStatus(job: Job<AnalysisJobData, AnalysisJobResult>, state: JobState | 'unknown'): AnalysisJobStatus {
  const outcome =
    state === 'completed'
      ? job.returnvalue
      : state === 'failed'
        ? job.failedReason
        : typeof job.progress === 'string' && job.progress !== ''
          ? job.progress
          : job.failedReason || undefined;
  return {
    jobId: job.id ?? '',
    state: STATE[state],
    subject: job.data.subject,
    attempts: job.attemptsMade,
    ...(typeof outcome === 'string' ? { outcome } : {}),
    enqueuedAt: job.timestamp,
    ...(job.finishedOn !== undefined ? { finishedAt: job.finishedOn } : {}),
  };
}

const STATE: Record<JobState | 'unknown', AnalysisJobState> = {
  waiting: 'waiting',
  prioritized: 'waiting',
  'waiting-children': 'waiting',
  delayed: 'delayed',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
  unknown: 'unknown',
};
