import { type StoreLifetimes, verdictExpiry } from './lifetimes';
import { storedVerdict } from './stored-values';
import { subjectKey } from './subject-key';
import {
  flushEvent,
  type MemoValue,
  memoMatches,
  newestFirst,
  recordedOutcome,
  tagReference,
  verdictMatches,
} from './verdict-filter';
import { VerdictKeys } from './verdict-keys';
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
import { Waiters } from './waiters';

export interface MemoryVerdictStoreOptions {
  readonly lifetimes: StoreLifetimes;
  /** Most entries (verdicts + memos + failures) kept; the oldest written goes first. Default 100,000. */
  readonly maxEntries?: number;
  /** Epoch ms; injectable so TTL tests need no waiting. */
  readonly now?: () => number;
}

type Value =
  | { readonly kind: 'verdict'; readonly verdict: Verdict }
  | { readonly kind: 'tag'; readonly memo: MemoValue }
  | { readonly kind: 'failure'; readonly reason: string };

interface Entry {
  readonly value: Value;
  readonly expiresAt: number;
}

export const DEFAULT_MEMORY_MAX_ENTRIES = 100_000;

/**
 * The verdict store of embedded mode: one process, no Redis. Same semantics as the Redis store
 * (the shared contract suite runs against both), the same key layout, and waiters woken in
 * process. Bounded: at most `maxEntries` entries, oldest written evicted first; expired entries
 * are dropped when met.
 */
export class MemoryVerdictStore implements VerdictStore {
  /** Key layout shared with the Redis store (tests read TTLs through it). */
  readonly keys = new VerdictKeys('scangate');
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Waiters();
  private readonly flushListeners = new Set<(event: FlushEvent) => void>();
  private readonly lifetimes: StoreLifetimes;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemoryVerdictStoreOptions) {
    this.lifetimes = options.lifetimes;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MEMORY_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  async getVerdict(key: VerdictKey): Promise<Verdict | undefined> {
    const value = this.read(this.keys.verdict(key));
    return value?.kind === 'verdict' ? value.verdict : undefined;
  }

  async putVerdict(verdict: Omit<Verdict, 'expiresAt'>): Promise<Verdict> {
    this.open();
    const stored = storedVerdict(verdict, verdictExpiry(this.lifetimes, verdict));
    this.write(this.keys.verdict(stored), { kind: 'verdict', verdict: stored }, stored.expiresAt);
    return stored;
  }

  async getTagDigest(reference: string): Promise<string | undefined> {
    return (await this.getTagMemo(reference))?.digest;
  }

  async getTagMemo(reference: string): Promise<TagMemo | undefined> {
    const key = this.keys.tag(reference);
    const value = this.read(key);
    const expiresAt = this.entries.get(key)?.expiresAt;
    if (value?.kind !== 'tag' || value.memo.reference !== reference || expiresAt === undefined) return undefined;
    return { reference, digest: value.memo.digest, expiresAt };
  }

  async putTagDigest(reference: string, digest: string): Promise<void> {
    this.open();
    const expiresAt = this.now() + this.lifetimes.tagTTL * 1000;
    this.write(this.keys.tag(reference), { kind: 'tag', memo: { reference, digest } }, expiresAt);
  }

  async getFailure(subject: AnalysisSubject): Promise<string | undefined> {
    const value = this.read(this.keys.failure(subjectKey(subject)));
    return value?.kind === 'failure' ? value.reason : undefined;
  }

  async putFailure(subject: AnalysisSubject, reason: string): Promise<void> {
    this.open();
    if (this.lifetimes.errorBackoffMs <= 0) return;
    const expiresAt = this.now() + this.lifetimes.errorBackoffMs;
    this.write(this.keys.failure(subjectKey(subject)), { kind: 'failure', reason }, expiresAt);
  }

  async publishOutcome(subject: AnalysisSubject, outcome: SubjectOutcome): Promise<void> {
    this.open();
    this.waiters.wake(subjectKey(subject), outcome);
  }

  waitForOutcome(subject: AnalysisSubject, deadline: number): Promise<SubjectOutcome | undefined> {
    const { key, promise } = this.waiters.wait(subject, deadline, this.now());
    if (!this.closed && this.waiters.has(key)) {
      void recordedOutcome(this, subject).then(
        (outcome) => outcome && this.waiters.wake(key, outcome),
        () => undefined,
      );
    }
    return promise;
  }

  async listVerdicts(filter: VerdictFilter, limit: number): Promise<Verdict[]> {
    const { verdicts } = this.select(filter);
    return newestFirst(
      verdicts.map(([, verdict]) => verdict),
      limit,
    );
  }

  async flush(filter: VerdictFilter): Promise<FlushResult> {
    this.open();
    const { verdicts, memos, tagDigest } = this.select(filter);
    for (const [key] of [...verdicts, ...memos]) this.entries.delete(key);
    const event = flushEvent(filter, tagDigest);
    for (const listener of [...this.flushListeners]) {
      try {
        listener(event);
      } catch {
        // a listener's failure is its own; the flush happened
      }
    }
    return { verdicts: verdicts.length, tags: memos.length };
  }

  async listen(): Promise<void> {
    this.open();
  }

  onFlush(listener: (event: FlushEvent) => void): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiters.endAll();
    this.flushListeners.clear();
    this.entries.clear();
  }

  /** Remaining lifetime in ms as Redis PTTL reports it: -2 when the key does not exist. */
  pttl(key: string): number {
    const entry = this.entries.get(key);
    const now = this.now();
    return entry === undefined || entry.expiresAt <= now ? -2 : entry.expiresAt - now;
  }

  /** Every key held (expired ones not yet dropped included). */
  keysOf(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Pending waits in this process (for tests and metrics). */
  waiterCount(): number {
    return this.waiters.size;
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }

  private open(): void {
    if (this.closed) throw new Error('verdict store is closed');
  }

  private read(key: string): Value | undefined {
    this.open();
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private write(key: string, value: Value, expiresAt: number): void {
    // A lifetime that has already passed changes nothing (the Redis store skips such a SET).
    if (expiresAt <= this.now()) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  private select(filter: VerdictFilter): {
    verdicts: Array<[string, Verdict]>;
    memos: Array<[string, MemoValue]>;
    tagDigest: string | undefined;
  } {
    this.open();
    let tagDigest: string | undefined;
    if (filter.kind === 'tag') {
      const value = this.read(this.keys.tag(tagReference(filter)));
      tagDigest = value?.kind === 'tag' ? value.memo.digest : undefined;
    }
    const verdicts: Array<[string, Verdict]> = [];
    const memos: Array<[string, MemoValue]> = [];
    const now = this.now();
    for (const [key, entry] of [...this.entries]) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        continue;
      }
      const { value } = entry;
      if (value.kind === 'verdict' && verdictMatches(filter, value.verdict, tagDigest)) {
        verdicts.push([key, value.verdict]);
      }
      if (value.kind === 'tag' && memoMatches(filter, value.memo)) memos.push([key, value.memo]);
    }
    return { verdicts, memos, tagDigest };
  }
}
