import type { AnalysisSubject, FlushResult, SubjectOutcome, Verdict, VerdictFilter, VerdictKey } from './verdict.types';

/**
 * The shared verdict cache (PRODUCT.md §3.6–3.8). Implementations: Redis (shared by every
 * webhook replica and worker) and in-memory (embedded mode); one contract suite proves they
 * behave alike. Lifetimes: allow verdicts `cache.allowTTL`, deny verdicts `cache.denyTTL`,
 * tag memos `cache.tagTTL`, failure backoffs `cache.errorBackoffMs`. Failures are never verdicts.
 */
export interface VerdictStore {
  getVerdict(key: VerdictKey): Promise<Verdict | undefined>;
  /** Stores with the TTL its decision calls for; `expiresAt` is set by the store. */
  putVerdict(verdict: Omit<Verdict, 'expiresAt'>): Promise<Verdict>;

  /** Tag memo: `docker.io/library/nginx:1.27` → digest, for `cache.tagTTL`. */
  getTagDigest(reference: string): Promise<string | undefined>;
  putTagDigest(reference: string, digest: string): Promise<void>;

  /** A recent analysis failure for a subject (not a verdict): answered by `onError` until it expires. */
  getFailure(subject: AnalysisSubject): Promise<string | undefined>;
  putFailure(subject: AnalysisSubject, reason: string): Promise<void>;

  /** Wakes every waiter on `subject`, in every process sharing the store. */
  publishOutcome(subject: AnalysisSubject, outcome: SubjectOutcome): Promise<void>;
  /** Resolves with the outcome when one is published, or undefined at `deadline` (epoch ms). */
  waitForOutcome(subject: AnalysisSubject, deadline: number): Promise<SubjectOutcome | undefined>;

  listVerdicts(filter: VerdictFilter, limit: number): Promise<Verdict[]>;
  flush(filter: VerdictFilter): Promise<FlushResult>;

  /** True when the backing store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const VERDICT_STORE = Symbol('VERDICT_STORE');
