/**
 * What the analyzer decided about one manifest digest, under one analyzer and policy fingerprint.
 * A change of analyzer or policy changes the key, so no flush is needed after one.
 */
export interface VerdictKey {
  /** Manifest digest the verdict is about (an index digest for multi-arch images). */
  readonly digest: string;
  readonly analyzer: string;
  /** Stable hash of the analyzer's policy settings. */
  readonly fingerprint: string;
}

export interface Verdict extends VerdictKey {
  readonly allowed: boolean;
  /** Why it was denied (findings), shown to the user; absent when allowed. */
  readonly reason?: string;
  /** Repository names (`docker.io/library/nginx`) this digest was analysed under, for admin flushes. */
  readonly repositories: readonly string[];
  /** Platform manifest digests actually analysed (multi-arch). */
  readonly platformDigests?: readonly string[];
  /** Epoch ms when the analyzer decided. */
  readonly analyzedAt: number;
  /** Epoch ms when it stops being served: analyzedAt + allowTTL or denyTTL. */
  readonly expiresAt: number;
}

/**
 * What the webhook asks to be analysed and waits for: one reference (a tag reference, or a
 * digest reference) under one analyzer + fingerprint. Jobs, waiters and failure backoffs are
 * keyed by it, because a tag's digest is not known until the worker resolves it.
 */
export interface AnalysisSubject {
  /** Canonical reference (`docker.io/library/nginx:1.27` or `…@sha256:…`). */
  readonly reference: string;
  readonly analyzer: string;
  readonly fingerprint: string;
}

/** Published when a job for a subject ends, so waiting admissions wake up at once. */
export type SubjectOutcome =
  { readonly kind: 'verdict'; readonly digest: string } | { readonly kind: 'failed'; readonly reason: string };

/** Which verdicts an admin flush or listing means. */
export type VerdictFilter =
  | { readonly kind: 'all' }
  | { readonly kind: 'repository'; readonly repository: string }
  | { readonly kind: 'tag'; readonly repository: string; readonly tag: string }
  | { readonly kind: 'digest'; readonly digest: string };

export interface FlushResult {
  /** Verdicts removed. */
  readonly verdicts: number;
  /** Tag memos removed. */
  readonly tags: number;
}

/** A tag memo with the time it stops being served (epoch ms; in Redis: its remaining PTTL). */
export interface TagMemo {
  /** Canonical tag reference (`docker.io/library/nginx:1.27`). */
  readonly reference: string;
  readonly digest: string;
  readonly expiresAt: number;
}

/**
 * Published by `flush` to every process sharing the store, so in-process caches drop what was
 * flushed. `digest` is, for a tag filter, the digest its memo pointed at (whose verdicts went too).
 */
export interface FlushEvent {
  readonly filter: VerdictFilter;
  readonly digest?: string;
}
