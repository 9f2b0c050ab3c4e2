import type { AnalysisRunOptions, AnalysisRunResult } from '@scangate/analysis';
import type { AnalysisSubject } from '@scangate/verdicts';
import type { AnalysisJobState, AnalysisJobStatus, AnalysisQueue, EnqueueResult } from './analysis-queue.port';
import { ANALYSIS_ATTEMPTS, analysisDedupId, analysisJobId, KEEP_COMPLETED } from './analysis-queue.contract';
import { settlesWithin } from './settles-within';

/** What the queue runs: AnalysisService's `run`. */
export interface AnalysisRunner {
  run(subject: AnalysisSubject, options: AnalysisRunOptions): Promise<AnalysisRunResult>;
}

/** One attempt that ended, for logs and metrics. */
export interface AnalysisAttemptEvent {
  readonly jobId: string;
  readonly subject: AnalysisSubject;
  readonly attempt: number;
  /** `retry`: a transient failure, retried after backoff; `pending`: re-scheduled. */
  readonly result: 'verdict' | 'failed' | 'pending' | 'retry';
  readonly outcome: string;
  readonly durationMs: number;
}

export interface InProcessAnalysisQueueOptions {
  /** Analyses run at once (`worker.concurrency`). */
  readonly concurrency: number;
  /** First retry delay after a transient failure, doubled per attempt (`cache.errorBackoffMs`). */
  readonly errorBackoffMs: number;
  readonly attempts?: number;
  /** Finished jobs kept for `status()`; the oldest are forgotten first. */
  readonly historyLimit?: number;
  /** How long `close()` lets running analyses finish before aborting them. */
  readonly closeGraceMs?: number;
  readonly onAttempt?: (event: AnalysisAttemptEvent) => void;
  readonly now?: () => number;
}

interface JobRecord {
  readonly id: string;
  readonly dedupId: string;
  readonly subject: AnalysisSubject;
  readonly force: boolean;
  readonly enqueuedAt: number;
  state: AnalysisJobState;
  attemptsMade: number;
  outcome?: string;
  finishedAt?: number;
  timer?: NodeJS.Timeout;
  controller?: AbortController;
}

/** After the grace, aborted analyses get this long to return before close() gives up on them. */
const ABORT_WAIT_MS = 1000;

/**
 * Embedded mode's queue (no Redis): the same AnalysisService, run in this process behind the same
 * port. Bounded concurrency; one live job per subject (waiting, delayed or running) unless
 * forced; transient failures retried with exponential backoff; a pending scanner re-scheduled by
 * timer without holding a slot; a bounded history for `status()`. Jobs do not survive a restart.
 */
export class InProcessAnalysisQueue implements AnalysisQueue {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly live = new Map<string, string>();
  private readonly ready: JobRecord[] = [];
  private readonly finished: string[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly attempts: number;
  private readonly historyLimit: number;
  private readonly now: () => number;
  private closing?: Promise<void>;

  constructor(
    private readonly runner: AnalysisRunner,
    private readonly options: InProcessAnalysisQueueOptions,
  ) {
    if (!(options.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
    this.attempts = options.attempts ?? ANALYSIS_ATTEMPTS;
    this.historyLimit = options.historyLimit ?? KEEP_COMPLETED.count;
    this.now = options.now ?? Date.now;
  }

  async enqueue(subject: AnalysisSubject, options: { readonly force?: boolean } = {}): Promise<EnqueueResult> {
    if (this.closing) throw new Error('the analysis queue is closed');
    const dedupId = analysisDedupId(subject);
    const current = this.live.get(dedupId);
    if (current !== undefined && !options.force) return { jobId: current, created: false };

    const now = this.now();
    const job: JobRecord = {
      id: analysisJobId(subject, now),
      dedupId,
      subject,
      force: options.force === true,
      enqueuedAt: now,
      state: 'waiting',
      attemptsMade: 0,
    };
    this.jobs.set(job.id, job);
    // A forced job takes over the subject; the one it replaces still finishes.
    this.live.set(dedupId, job.id);
    this.ready.push(job);
    this.pump();
    return { jobId: job.id, created: true };
  }

  async status(jobId: string): Promise<AnalysisJobStatus | undefined> {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    return {
      jobId: job.id,
      state: job.state,
      subject: job.subject,
      attempts: job.attemptsMade,
      ...(job.outcome !== undefined ? { outcome: job.outcome } : {}),
      enqueuedAt: job.enqueuedAt,
      ...(job.finishedAt !== undefined ? { finishedAt: job.finishedAt } : {}),
    };
  }

  async counts(): Promise<Record<AnalysisJobState, number>> {
    const counts: Record<AnalysisJobState, number> = {
      waiting: 0,
      delayed: 0,
      active: 0,
      completed: 0,
      failed: 0,
      unknown: 0,
    };
    for (const job of this.jobs.values()) counts[job.state] += 1;
    return counts;
  }

  /**
   * Stops taking jobs, drops the waiting and delayed ones, lets running analyses finish within
   * `closeGraceMs`, then aborts them (the service writes nothing once aborted).
   */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    for (const job of this.jobs.values()) {
      if (job.state !== 'waiting' && job.state !== 'delayed') continue;
      clearTimeout(job.timer);
      this.finish(job, 'failed', 'not run: the analysis queue closed');
    }
    this.ready.length = 0;
    if (await settlesWithin(Promise.allSettled(this.running.values()), this.options.closeGraceMs ?? 5000)) return;
    for (const job of this.jobs.values()) job.controller?.abort();
    await settlesWithin(Promise.allSettled(this.running.values()), ABORT_WAIT_MS);
  }

  private pump(): void {
    while (!this.closing && this.running.size < this.options.concurrency) {
      const job = this.ready.shift();
      if (!job) return;
      const run = this.runOnce(job).finally(() => {
        this.running.delete(job.id);
        this.pump();
      });
      this.running.set(job.id, run);
    }
  }

  private async runOnce(job: JobRecord): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const controller = new AbortController();
    job.state = 'active';
    job.controller = controller;
    const started = this.now();
    let event: Pick<AnalysisAttemptEvent, 'result' | 'outcome'>;
    try {
      const result = await this.runner.run(job.subject, {
        signal: controller.signal,
        attempt,
        finalAttempt: attempt >= this.attempts,
        requestedAt: job.enqueuedAt,
        ...(job.force ? { force: true } : {}),
      });
      if (result.kind === 'retry-after') {
        job.outcome = result.outcome;
        this.later(job, result.delayMs);
        event = { result: 'pending', outcome: result.outcome };
      } else {
        job.attemptsMade = attempt;
        this.finish(job, result.status === 'failed' ? 'failed' : 'completed', result.outcome);
        event = { result: result.status, outcome: result.outcome };
      }
    } catch (error) {
      job.attemptsMade = attempt;
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt < this.attempts && !controller.signal.aborted && !this.closing) {
        job.outcome = reason;
        this.later(job, Math.round(this.options.errorBackoffMs * 2 ** (attempt - 1)));
        event = { result: 'retry', outcome: reason };
      } else {
        this.finish(job, 'failed', reason);
        event = { result: 'failed', outcome: reason };
      }
    } finally {
      job.controller = undefined;
    }
    this.options.onAttempt?.({
      jobId: job.id,
      subject: job.subject,
      attempt,
      ...event,
      durationMs: this.now() - started,
    });
  }

  /** Back to the queue after `delayMs`, holding no slot meanwhile. */
  private later(job: JobRecord, delayMs: number): void {
    if (this.closing) {
      this.finish(job, 'failed', `not run again: the analysis queue closed (${job.outcome ?? ''})`);
      return;
    }
    job.state = 'delayed';
    job.timer = setTimeout(() => {
      job.timer = undefined;
      job.state = 'waiting';
      this.ready.push(job);
      this.pump();
    }, delayMs);
    job.timer.unref();
  }

  private finish(job: JobRecord, state: 'completed' | 'failed', outcome: string): void {
    job.state = state;
    job.outcome = outcome;
    job.finishedAt = this.now();
    if (this.live.get(job.dedupId) === job.id) this.live.delete(job.dedupId);
    this.finished.push(job.id);
    while (this.finished.length > this.historyLimit) {
      const oldest = this.finished.shift();
      if (oldest !== undefined) this.jobs.delete(oldest);
    }
  }
}
