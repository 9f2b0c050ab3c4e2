import type { VerdictStore } from './verdict-store.port';
import type { AnalysisSubject, FlushEvent, SubjectOutcome, Verdict, VerdictFilter } from './verdict.types';

/** What a tag memo stores: the reference it is for (its key may be a hash) and the digest. */
export interface MemoValue {
  readonly reference: string;
  readonly digest: string;
}

/**
 * The repository of a canonical reference: `docker.io/library/nginx:1.27` and
 * `docker.io/library/nginx@sha256:…` → `docker.io/library/nginx` (a `:` after the last `/` starts
 * the tag; one before it belongs to the registry's port).
 */
export function repositoryOf(reference: string): string {
  const at = reference.indexOf('@');
  const name = at === -1 ? reference : reference.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/** The digest a digest reference pins (`…@sha256:…`), else undefined. */
export function digestOf(reference: string): string | undefined {
  const at = reference.indexOf('@');
  return at === -1 ? undefined : reference.slice(at + 1);
}

/** The memo reference a tag filter means. */
export function tagReference(filter: { readonly repository: string; readonly tag: string }): string {
  return `${filter.repository}:${filter.tag}`;
}

/** Whether a flush or listing with `filter` takes `verdict`; `tagDigest` is the tag filter's memo digest. */
export function verdictMatches(filter: VerdictFilter, verdict: Verdict, tagDigest: string | undefined): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'repository':
      return verdict.repositories.includes(filter.repository);
    case 'tag':
      return tagDigest !== undefined && verdict.digest === tagDigest;
    case 'digest':
      return verdict.digest === filter.digest;
  }
}

export function memoMatches(filter: VerdictFilter, memo: MemoValue): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'repository':
      return repositoryOf(memo.reference) === filter.repository;
    case 'tag':
      return memo.reference === tagReference(filter);
    case 'digest':
      return memo.digest === filter.digest;
  }
}

/** The event a flush publishes: for a tag filter, with the digest its memo pointed at. */
export function flushEvent(filter: VerdictFilter, tagDigest: string | undefined): FlushEvent {
  return tagDigest === undefined ? { filter } : { filter, digest: tagDigest };
}

/** Newest analysis first, at most `limit`. */
export function newestFirst(verdicts: readonly Verdict[], limit: number): Verdict[] {
  return [...verdicts].sort((a, b) => b.analyzedAt - a.analyzedAt).slice(0, Math.max(0, limit));
}

/**
 * What a store already holds for a subject: a verdict reachable from its reference (digest
 * reference, or tag memo → digest) wins over a recent failure. Used once a waiter listens, so
 * that an outcome published before it did is not missed.
 */
export async function recordedOutcome(
  store: Pick<VerdictStore, 'getVerdict' | 'getTagDigest' | 'getFailure'>,
  subject: AnalysisSubject,
): Promise<SubjectOutcome | undefined> {
  const digest = digestOf(subject.reference) ?? (await store.getTagDigest(subject.reference));
  if (digest !== undefined) {
    const verdict = await store.getVerdict({ digest, analyzer: subject.analyzer, fingerprint: subject.fingerprint });
    if (verdict) return { kind: 'verdict', digest };
  }
  const reason = await store.getFailure(subject);
  return reason === undefined ? undefined : { kind: 'failed', reason };
}
