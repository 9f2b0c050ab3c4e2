import { LruCache } from './lru-cache';
import { memoMatches, tagReference, verdictMatches } from './verdict-filter';
import type { VerdictStore } from './verdict-store.port';
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

export interface CachingVerdictStoreOptions {
  /** `cache.l1MaxEntries`: verdicts + tag memos kept; 0 turns the in-process cache off. */
  readonly maxEntries: number;
  /** `cache.tagTTL` (seconds): the lifetime of a memo written through this store. */
  readonly tagTTL: number;
  readonly now?: () => number;
}

type Entry =
  | { readonly kind: 'verdict'; readonly verdict: Verdict; readonly expiresAt: number }
  | { readonly kind: 'tag'; readonly memo: TagMemo; readonly expiresAt: number };

/** Counters for the webhook's metrics. */
export interface L1Stats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

function verdictEntryKey(key: VerdictKey): string {
  return `v\n${key.analyzer}\n${key.fingerprint}\n${key.digest}`;
}

function tagEntryKey(reference: string): string {
  return `t\n${reference}`;
}

/**
 * The webhook's in-process cache (L1) in front of any verdict store: a bounded LRU of verdicts
 * and tag memos. An entry never outlives the backing store's: a verdict is kept until its
 * `expiresAt`, a memo until the expiry the store reported (Redis: its PTTL) or, when written
 * here, until now + tagTTL. Misses, writes and everything else go through. Hits never touch the
 * backing store, so a Redis outage is answered from L1 for what it holds and fails (fast, with a
 * hot-path connection) for the rest. Flushes by any process reach it through `onFlush`.
 */
export class CachingVerdictStore implements VerdictStore {
  private readonly l1: LruCache<string, Entry>;
  private readonly tagTTL: number;
  private readonly now: () => number;
  private readonly stopListening: () => void;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly backing: VerdictStore,
    options: CachingVerdictStoreOptions,
  ) {
    this.l1 = new LruCache(options.maxEntries);
    this.tagTTL = options.tagTTL;
    this.now = options.now ?? Date.now;
    this.stopListening = backing.onFlush((event) => this.drop(event));
  }

  async getVerdict(key: VerdictKey): Promise<Verdict | undefined> {
    const cached = this.fresh(verdictEntryKey(key));
    if (cached?.kind === 'verdict') return cached.verdict;
    const verdict = await this.backing.getVerdict(key);
    if (verdict) this.remember(verdictEntryKey(key), { kind: 'verdict', verdict, expiresAt: verdict.expiresAt });
    return verdict;
  }

  async putVerdict(verdict: Omit<Verdict, 'expiresAt'>): Promise<Verdict> {
    const stored = await this.backing.putVerdict(verdict);
    this.remember(verdictEntryKey(stored), { kind: 'verdict', verdict: stored, expiresAt: stored.expiresAt });
    return stored;
  }

  async getTagDigest(reference: string): Promise<string | undefined> {
    return (await this.getTagMemo(reference))?.digest;
  }

  async getTagMemo(reference: string): Promise<TagMemo | undefined> {
    const cached = this.fresh(tagEntryKey(reference));
    if (cached?.kind === 'tag') return cached.memo;
    const memo = await this.backing.getTagMemo(reference);
    if (memo) this.remember(tagEntryKey(reference), { kind: 'tag', memo, expiresAt: memo.expiresAt });
    return memo;
  }

  async putTagDigest(reference: string, digest: string): Promise<void> {
    // Counted from before the write: never later than the backing store's own expiry.
    const expiresAt = this.now() + this.tagTTL * 1000;
    await this.backing.putTagDigest(reference, digest);
    this.remember(tagEntryKey(reference), { kind: 'tag', memo: { reference, digest, expiresAt }, expiresAt });
  }

  getFailure(subject: AnalysisSubject): Promise<string | undefined> {
    return this.backing.getFailure(subject);
  }

  putFailure(subject: AnalysisSubject, reason: string): Promise<void> {
    return this.backing.putFailure(subject, reason);
  }

  publishOutcome(subject: AnalysisSubject, outcome: SubjectOutcome): Promise<void> {
    return this.backing.publishOutcome(subject, outcome);
  }

  waitForOutcome(subject: AnalysisSubject, deadline: number): Promise<SubjectOutcome | undefined> {
    return this.backing.waitForOutcome(subject, deadline);
  }

  listVerdicts(filter: VerdictFilter, limit: number): Promise<Verdict[]> {
    return this.backing.listVerdicts(filter, limit);
  }

  async flush(filter: VerdictFilter): Promise<FlushResult> {
    // The memo's digest, read before it goes: the backing store's own event may come later.
    const memo = filter.kind === 'tag' ? await this.backing.getTagMemo(tagReference(filter)) : undefined;
    const result = await this.backing.flush(filter);
    this.drop(memo ? { filter, digest: memo.digest } : { filter });
    return result;
  }

  listen(): Promise<void> {
    return this.backing.listen();
  }

  onFlush(listener: (event: FlushEvent) => void): () => void {
    return this.backing.onFlush(listener);
  }

  ping(): Promise<boolean> {
    return this.backing.ping();
  }

  async close(): Promise<void> {
    this.stopListening();
    this.l1.clear();
    await this.backing.close();
  }

  stats(): L1Stats {
    return { hits: this.hits, misses: this.misses, size: this.l1.size };
  }

  private fresh(key: string): Entry | undefined {
    const entry = this.l1.get(key);
    if (entry !== undefined && entry.expiresAt > this.now()) {
      this.hits += 1;
      return entry;
    }
    if (entry !== undefined) this.l1.delete(key);
    this.misses += 1;
    return undefined;
  }

  private remember(key: string, entry: Entry): void {
    if (entry.expiresAt > this.now()) this.l1.set(key, entry);
  }

  /** Drops what a flush removed from the backing store. */
  private drop(event: FlushEvent): void {
    const { filter } = event;
    if (filter.kind === 'all') {
      this.l1.clear();
      return;
    }
    // A tag flush also removed the verdicts of the digest its memo pointed at (this L1 may know it).
    const tagDigest = event.digest ?? (filter.kind === 'tag' ? this.l1Memo(tagReference(filter))?.digest : undefined);
    this.l1.deleteWhere((entry) =>
      entry.kind === 'verdict' ? verdictMatches(filter, entry.verdict, tagDigest) : memoMatches(filter, entry.memo),
    );
  }

  private l1Memo(reference: string): TagMemo | undefined {
    const entry = this.l1.get(tagEntryKey(reference));
    return entry?.kind === 'tag' ? entry.memo : undefined;
  }
}
