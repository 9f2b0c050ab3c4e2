import { Inject, Injectable } from '@nestjs/common';
import type { AnalysisAttemptResult } from '@scangate/analysis';
import { AnalysisMetrics, AnalysisService, TransientAnalysisError } from '@scangate/analysis';
import type { RedisConfig, WorkerConfig } from '@scangate/config';
import type { AnalysisJobData, AnalysisJobResult } from '@scangate/queue';
import { ANALYSIS_QUEUE_NAME, analysisQueuePrefix, settlesWithin } from '@scangate/queue';
import type { Job } from 'bullmq';
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { QUEUE_CONNECTION, WORKER_CONFIG, WORKER_LOGGER, WORKER_METRICS } from './worker.tokens';

export interface ScanProcessorConfig {
  readonly redis: RedisConfig;
  readonly worker: WorkerConfig;
}

interface ActiveJob {
  readonly job: Job<AnalysisJobData, AnalysisJobResult>;
  readonly token: string;
  readonly controller: AbortController;
  /** Handed back to the queue at shutdown: whatever the analysis does now, BullMQ is not told. */
  handedBack: boolean;
}

/** A job lost by a crashed worker is run again once more at most, then failed (a poison image). */
const MAX_STALLED_COUNT = 2;
/** After handing jobs back, how long aborted analyses get to return before close gives up on them. */
const ABORT_WAIT_MS = 2000;

/**
 * The BullMQ side of `scangate worker`, kept thin: it maps AnalysisService's answers onto BullMQ.
 * `done` → the job completes with its outcome line (or fails with it, when the service recorded a
 * failure); `retry-after` → the job is delayed without holding a slot or spending an attempt;
 * TransientAnalysisError → rethrown, so BullMQ retries with the contract's backoff.
 */
@Injectable()
export class ScanProcessor {
  private worker?: Worker<AnalysisJobData, AnalysisJobResult>;
  private running?: Promise<void>;
  private readonly active = new Map<string, ActiveJob>();

  constructor(
    private readonly service: AnalysisService,
    @Inject(WORKER_CONFIG) private readonly config: ScanProcessorConfig,
    @Inject(QUEUE_CONNECTION) private readonly connection: Redis | Cluster,
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
    @Inject(WORKER_METRICS) private readonly metrics: AnalysisMetrics,
  ) {}

  /** Starts consuming; resolves once the worker's connections are ready. */
  async start(): Promise<void> {
    const worker = new Worker<AnalysisJobData, AnalysisJobResult>(
      ANALYSIS_QUEUE_NAME,
      (job, token) => this.process(job, token),
      {
        connection: this.connection,
        prefix: analysisQueuePrefix(this.config.redis),
        concurrency: this.config.worker.concurrency,
        lockDuration: this.config.worker.lockDurationMs,
        stalledInterval: this.config.worker.stalledIntervalMs,
        maxStalledCount: MAX_STALLED_COUNT,
        autorun: false,
      },
    );
    worker.on('error', (error) => this.logger.warn({ err: error }, 'queue error'));
    worker.on('stalled', (jobId) => this.logger.warn({ jobId }, 'stalled job (its worker died) put back in the queue'));
    this.worker = worker;
    await worker.waitUntilReady();
    this.running = worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'worker stopped'));
  }

  /**
   * Stops taking jobs and lets the active ones finish within `graceMs`. Jobs still running then
   * are handed back to the queue at once (another worker takes them; no attempt is spent) and
   * their analyses aborted. If Redis cannot be told, their locks expire and BullMQ's stalled check
   * recovers them. Resolves when the worker has closed its connections, bounded in time.
   */
  async stop(graceMs: number): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const closed = worker.close();
    this.logger.info({ active: this.active.size, graceMs }, 'stopping: no new jobs; letting active ones finish');
    if (await settlesWithin(closed, graceMs)) return this.stopped();

    const handedBack = [...this.active.values()];
    this.logger.warn({ jobs: handedBack.map((a) => a.job.id) }, 'shutdown grace over: handing active jobs back');
    await Promise.all(
      handedBack.map(async (entry) => {
        entry.handedBack = true;
        await entry.job.moveToWait(entry.token).catch((error: unknown) => {
          this.logger.warn({ jobId: entry.job.id, err: error }, 'could not hand the job back; its lock will expire');
        });
        entry.controller.abort();
      }),
    );
    if (!(await settlesWithin(closed, ABORT_WAIT_MS))) {
      this.logger.warn('analyses did not stop after abort; closing without them');
    }
    return this.stopped();
  }

  private async stopped(): Promise<void> {
    await settlesWithin(this.running ?? Promise.resolve(), ABORT_WAIT_MS);
  }

  private async process(
    job: Job<AnalysisJobData, AnalysisJobResult>,
    token: string | undefined,
  ): Promise<AnalysisJobResult> {
    const attempt = job.attemptsMade + 1;
    const log = this.logger.child({ jobId: job.id, subject: job.data.subject.reference, attempt });
    const entry: ActiveJob = { job, token: token ?? '', controller: new AbortController(), handedBack: false };
    const id = job.id ?? '';
    this.active.set(id, entry);
    const started = Date.now();
    // Recorded once per attempt, in the finally below; a hand-back at shutdown is not an attempt.
    let result: AnalysisAttemptResult | undefined;
    try {
      const outcome = await this.service.run(job.data.subject, {
        signal: entry.controller.signal,
        attempt,
        finalAttempt: attempt >= (job.opts.attempts ?? 1),
        requestedAt: job.data.requestedAt,
        ...(job.data.force ? { force: true } : {}),
      });
      if (entry.handedBack) throw new DelayedError();
      const durationMs = Date.now() - started;
      if (outcome.kind === 'retry-after') {
        result = 'pending';
        log.info({ outcome: outcome.outcome, delayMs: outcome.delayMs, durationMs }, 'analysis pending; re-scheduled');
        await job.updateProgress(outcome.outcome);
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      }
      result = outcome.status;
      if (outcome.status === 'failed') {
        log.warn({ outcome: outcome.outcome, durationMs }, 'analysis failed');
        throw new UnrecoverableError(outcome.outcome);
      }
      log.info({ outcome: outcome.outcome, durationMs }, 'analysis done');
      return outcome.outcome;
    } catch (error) {
      if (entry.handedBack) throw new DelayedError();
      if (error instanceof DelayedError || error instanceof UnrecoverableError) throw error;
      const transient = error instanceof TransientAnalysisError;
      const retried = attempt < (job.opts.attempts ?? 1);
      result = retried ? 'retry' : 'failed';
      log.warn(
        { err: transient ? undefined : error, reason: messageOf(error), retried, durationMs: Date.now() - started },
        retried ? 'analysis attempt failed; retried with backoff' : 'analysis attempt failed; no attempts left',
      );
      throw error;
    } finally {
      this.active.delete(id);
      if (result !== undefined && !entry.handedBack)
        this.metrics.record(job.data.subject.analyzer, result, Date.now() - started);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
