import type {
  AnalysisSubject,
  FlushEvent,
  FlushResult,
  SubjectOutcome,
  TagMemo,
  Verdict,
  VerdictFilter,
  VerdictKey,
} from './verdict.types';

/**
 * The shared verdict cache (PRODUCT.md §3.6–3.8). Implementations: Redis (shared by every
 * webhook replica and worker) and in-memory (embedded mode); one contract suite proves they
 * behave alike. Lifetimes: allow verdicts `cache.allowTTL`, deny verdicts `cache.denyTTL`,
 * tag memos `cache.tagTTL`, failure backoffs `cache.errorBackoffMs`. Failures are never verdicts.
 * `CachingVerdictStore` puts a bounded in-process cache in front of any of them.
 */
export interface VerdictStore {
  getVerdict(key: VerdictKey): Promise<Verdict | undefined>;
  /**
   * Stores with the TTL its decision calls for: `expiresAt` = analyzedAt + allowTTL or denyTTL
   * (set by the store). A verdict whose lifetime has already passed is returned but not stored.
   */
  putVerdict(verdict: Omit<Verdict, 'expiresAt'>): Promise<Verdict>;

  /** Tag memo: `docker.io/library/nginx:1.27` → digest, for `cache.tagTTL`. */
  getTagDigest(reference: string): Promise<string | undefined>;
  /** The memo with its expiry (in Redis read with its PTTL in one round trip), for caches in front. */
  getTagMemo(reference: string): Promise<TagMemo | undefined>;
  putTagDigest(reference: string, digest: string): Promise<void>;

  /**
   * A recent analysis failure for a subject (not a verdict): answered by `onError` until it
   * expires after `cache.errorBackoffMs` (0: failures are not remembered).
   */
  getFailure(subject: AnalysisSubject): Promise<string | undefined>;
  putFailure(subject: AnalysisSubject, reason: string): Promise<void>;

  /**
   * Wakes every waiter on `subject`, in every process sharing the store. Write the verdict (and
   * tag memo) or the failure first, then publish: waiters that start late find them instead.
   */
  publishOutcome(subject: AnalysisSubject, outcome: SubjectOutcome): Promise<void>;
  /**
   * Resolves with the outcome when one is published, or undefined at `deadline` (epoch ms).
   * Once listening, it also looks once at what is already recorded (a verdict reachable from the
   * subject's reference, or a failure) and resolves with that: an outcome published between the
   * caller's own lookup and the subscription is never lost. Never rejects.
   */
  waitForOutcome(subject: AnalysisSubject, deadline: number): Promise<SubjectOutcome | undefined>;

  /** Matching verdicts, newest analysis first, at most `limit`. */
  listVerdicts(filter: VerdictFilter, limit: number): Promise<Verdict[]>;
  /**
   * `all`: every verdict and tag memo. `repository`: verdicts analysed under it and its tag
   * memos. `tag`: its memo and every verdict of the digest the memo points at. `digest`: every
   * verdict of the digest (any analyzer or fingerprint) and the memos pointing at it. Tells every
   * process sharing the store (`onFlush`).
   */
  flush(filter: VerdictFilter): Promise<FlushResult>;
  /**
   * Starts listening for outcomes and flushes now and resolves once events are received
   * (otherwise the first wait or `onFlush` starts it). Call it at start-up so that the first
   * admission does not pay for the subscription.
   */
  listen(): Promise<void>;
  /**
   * Calls `listener` for every flush by any process sharing the store, and with `{ kind: 'all' }`
   * when events may have been missed (the Redis subscription was lost and is back). Returns the
   * function that stops it.
   */
  onFlush(listener: (event: FlushEvent) => void): () => void;

  /** True when the backing store answers (readiness); never rejects. */
  ping(): Promise<boolean>;
  /** Ends pending waits (undefined), quits connections; bounded in time. */
  close(): Promise<void>;
}

export const VERDICT_STORE = Symbol('VERDICT_STORE');
