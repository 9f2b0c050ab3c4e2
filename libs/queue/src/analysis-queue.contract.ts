import { randomBytes } from 'node:crypto';
import type { CacheConfig, RedisConfig } from '@scangate/config';
import type { AnalysisSubject } from '@scangate/verdicts';
import { hashTaggedPrefix, subjectKey } from '@scangate/verdicts';
import type { JobsOptions } from 'bullmq';

/**
 * The analysis queue contract, in one place: the webhook and the admin API produce, `scangate
 * worker` consumes, and neither spells a name or an option twice (STYLE.md, "One place for the
 * queue contract").
 */
export const ANALYSIS_QUEUE_NAME = 'analysis';
export const ANALYZE_JOB = 'analyze';

/** The payload of an `analyze` job. */
export interface AnalysisJobData {
  readonly subject: AnalysisSubject;
  /** A rescan: analyse even when the resolved digest already has a verdict. */
  readonly force?: boolean;
  /** Epoch ms of the request; bounds how long a pending scanner is waited for. */
  readonly requestedAt: number;
}

/** What a finished job keeps (BullMQ `returnvalue`): the short outcome line. */
export type AnalysisJobResult = string;

/** Attempts per job: the first run and retries after transient failures (pending re-schedules do not count). */
export const ANALYSIS_ATTEMPTS = 5;

/**
 * Finished jobs are kept for `GET /admin/v1/analyses/ID`, bounded by age and count so Redis stays
 * bounded (BullMQ trims when the next job finishes). Kept jobs never block a rescan: every job has
 * its own id and deduplication ends when a job finishes (see analysisDedupId).
 */
export const KEEP_COMPLETED = { age: 3600, count: 1000 } as const;
export const KEEP_FAILED = { age: 24 * 3600, count: 1000 } as const;

/** Default options of every analysis job; the backoff starts at `cache.errorBackoffMs` and doubles. */
export function analysisJobOptions(
  cache: Pick<CacheConfig, 'errorBackoffMs'>,
  attempts = ANALYSIS_ATTEMPTS,
): JobsOptions {
  return {
    attempts,
    // Jitter spreads the retries of many jobs that failed together (a scanner restart).
    backoff: { type: 'exponential', delay: cache.errorBackoffMs, jitter: 0.2 },
    removeOnComplete: { ...KEEP_COMPLETED },
    removeOnFail: { ...KEEP_FAILED },
  };
}

/**
 * The BullMQ key prefix: `redis.prefix` as a Redis Cluster hash tag (`{scangate}`, the same as the
 * verdict store's keys), so every key of the queue lands in one slot, as BullMQ's multi-key Lua
 * scripts need. A prefix that already holds a hash tag (`{sg}`, `prod-{sg}`) is used as it is.
 */
export function analysisQueuePrefix(redis: Pick<RedisConfig, 'prefix'>): string {
  return hashTaggedPrefix(redis.prefix);
}

/**
 * The deduplication id of a subject: one waiting, delayed or running job per (reference,
 * analyzer, fingerprint). It is the subject's `subjectKey` (hex sha256: no `:`, fixed length
 * whatever the reference). Used as BullMQ's `deduplication.id`, which lasts until that job
 * completes or fails.
 */
export function analysisDedupId(subject: AnalysisSubject): string {
  return subjectKey(subject);
}

/**
 * A fresh job id for one analysis of `subject`: its dedup id plus a time-ordered unique suffix.
 * Unique per job, so a kept finished job never stops a new one from being added; BullMQ-safe (no
 * `:`, never an integer) and safe in URLs (`GET /admin/v1/analyses/ID`).
 */
export function analysisJobId(subject: AnalysisSubject, now = Date.now()): string {
  return `${analysisDedupId(subject)}-${now.toString(36)}${randomBytes(4).toString('hex')}`;
}

/** Whether a string can be an analysis job id (checked before it reaches Redis). */
export function isAnalysisJobId(id: string): boolean {
  return /^[0-9a-f]{64}-[0-9a-z]{1,12}[0-9a-f]{8}$/.test(id);
}
