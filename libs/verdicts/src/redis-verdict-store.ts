import type { CacheConfig, RedisConfig } from '@scangate/config';
import type { Redis } from 'ioredis';
import { type StoreLifetimes, verdictExpiry } from './lifetimes';
import { closeConnection, createRedisConnection, type RedisConnection } from './redis-connection';
import { decodeEvent, encodeEvent } from './store-events';
import { decodeMemo, decodeVerdict, encodeMemo, encodeVerdict, storedVerdict } from './stored-values';
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

export interface RedisVerdictStoreOptions {
  /** A `hot-path` connection (short command timeout, no offline queue). The store closes it. */
  readonly connection: RedisConnection;
  /** Makes the `subscriber` connection, on the first wait or flush listener. The store closes it. */
  readonly subscriber: () => RedisConnection;
  /** `redis.prefix`; keys use it hash-tagged (`{scangate}:`). */
  readonly prefix: string;
  readonly lifetimes: StoreLifetimes;
  readonly now?: () => number;
  /** Bound of `close()` per connection. Default 1000 ms. */
  readonly closeTimeoutMs?: number;
}

/** Keys per SCAN step, MGET and DEL. */
const BATCH = 500;

/**
 * The shared verdict store. Every key has a TTL (verdicts: until `expiresAt`; memos: tagTTL;
 * failures: errorBackoffMs), so Redis memory stays bounded by the images seen within the
 * longest TTL; every key is under one hash-tagged prefix (see verdict-keys.ts for the layout).
 * Outcomes and flushes travel on one pub/sub channel per prefix, read by one subscriber
 * connection per store.
 */
export class RedisVerdictStore implements VerdictStore {
  readonly keys: VerdictKeys;
  private readonly connection: RedisConnection;
  private readonly makeSubscriber: () => RedisConnection;
  private readonly lifetimes: StoreLifetimes;
  private readonly now: () => number;
  private readonly closeTimeoutMs: number;
  private readonly waiters = new Waiters();
  private readonly flushListeners = new Set<(event: FlushEvent) => void>();
  private subscriber: RedisConnection | undefined;
  private subscription: Promise<void> | undefined;
  private slot: Promise<number> | undefined;
  private closed = false;

  constructor(options: RedisVerdictStoreOptions) {
    this.connection = options.connection;
    this.makeSubscriber = options.subscriber;
    this.keys = new VerdictKeys(options.prefix);
    this.lifetimes = options.lifetimes;
    this.now = options.now ?? Date.now;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 1000;
  }

  /** A store with its own hot-path connection and (lazily) its own subscriber connection. */
  static fromConfig(
    redis: RedisConfig,
    cache: CacheConfig,
    options: { readonly onError?: (error: Error) => void } = {},
  ): RedisVerdictStore {
    const connectionOptions = options.onError ? { onError: options.onError } : {};
    return new RedisVerdictStore({
      connection: createRedisConnection(redis, 'hot-path', connectionOptions),
      subscriber: () => createRedisConnection(redis, 'subscriber', connectionOptions),
      prefix: redis.prefix,
      lifetimes: cache,
    });
  }

  async getVerdict(key: VerdictKey): Promise<Verdict | undefined> {
    const verdict = decodeVerdict(await this.connection.get(this.keys.verdict(key)));
    if (!verdict || verdict.expiresAt <= this.now()) return undefined;
    const same =
      verdict.digest === key.digest && verdict.analyzer === key.analyzer && verdict.fingerprint === key.fingerprint;
    return same ? verdict : undefined;
  }

  async putVerdict(verdict: Omit<Verdict, 'expiresAt'>): Promise<Verdict> {
    const stored = storedVerdict(verdict, verdictExpiry(this.lifetimes, verdict));
    const ttl = stored.expiresAt - this.now();
    if (ttl > 0) await this.connection.set(this.keys.verdict(stored), encodeVerdict(stored), 'PX', ttl);
    return stored;
  }

  async getTagDigest(reference: string): Promise<string | undefined> {
    const memo = decodeMemo(await this.connection.get(this.keys.tag(reference)));
    return memo?.reference === reference ? memo.digest : undefined;
  }

  /** GET and PTTL in one round trip; the expiry counts from before the request (never later than Redis's). */
  async getTagMemo(reference: string): Promise<TagMemo | undefined> {
    const key = this.keys.tag(reference);
    const sent = this.now();
    const replies = await this.connection.multi().get(key).pttl(key).exec();
    const [getReply, pttlReply] = replies ?? [];
    if (!getReply || !pttlReply || getReply[0] || pttlReply[0]) {
      throw getReply?.[0] ?? pttlReply?.[0] ?? new Error('Redis did not answer GET/PTTL');
    }
    const memo = decodeMemo(getReply[1] as string | null);
    const pttl = pttlReply[1] as number;
    if (!memo || memo.reference !== reference || pttl === -2) return undefined;
    // -1 (no TTL) cannot come from this store; count it as a full tagTTL.
    const remaining = pttl === -1 ? this.lifetimes.tagTTL * 1000 : pttl;
    return { reference, digest: memo.digest, expiresAt: sent + remaining };
  }

  async putTagDigest(reference: string, digest: string): Promise<void> {
    const memo = encodeMemo({ reference, digest });
    await this.connection.set(this.keys.tag(reference), memo, 'PX', this.lifetimes.tagTTL * 1000);
  }

  async getFailure(subject: AnalysisSubject): Promise<string | undefined> {
    return (await this.connection.get(this.keys.failure(subjectKey(subject)))) ?? undefined;
  }

  async putFailure(subject: AnalysisSubject, reason: string): Promise<void> {
    if (this.lifetimes.errorBackoffMs <= 0) return;
    await this.connection.set(this.keys.failure(subjectKey(subject)), reason, 'PX', this.lifetimes.errorBackoffMs);
  }

  async publishOutcome(subject: AnalysisSubject, outcome: SubjectOutcome): Promise<void> {
    const event = encodeEvent({ type: 'outcome', subject: subjectKey(subject), outcome });
    await this.connection.publish(this.keys.channel, event);
  }

  waitForOutcome(subject: AnalysisSubject, deadline: number): Promise<SubjectOutcome | undefined> {
    const { key, promise } = this.waiters.wait(subject, deadline, this.now());
    if (!this.closed && this.waiters.has(key)) {
      // Listening first, then one look at what is recorded: nothing published in between is lost.
      this.subscribe().then(
        () => this.wakeIfRecorded(subject, key),
        () => undefined,
      );
    }
    return promise;
  }

  async listVerdicts(filter: VerdictFilter, limit: number): Promise<Verdict[]> {
    const { verdicts } = await this.select(filter);
    return newestFirst(
      verdicts.map(([, verdict]) => verdict),
      limit,
    );
  }

  async flush(filter: VerdictFilter): Promise<FlushResult> {
    const { verdicts, memos, tagDigest } = await this.select(filter);
    const removedVerdicts = await this.deleteKeys(verdicts.map(([key]) => key));
    const removedTags = await this.deleteKeys(memos.map(([key]) => key));
    const event = flushEvent(filter, tagDigest);
    await this.connection.publish(this.keys.channel, encodeEvent({ type: 'flush', event }));
    return { verdicts: removedVerdicts, tags: removedTags };
  }

  listen(): Promise<void> {
    return this.subscribe();
  }

  onFlush(listener: (event: FlushEvent) => void): () => void {
    this.flushListeners.add(listener);
    this.subscribe().catch(() => undefined);
    return () => this.flushListeners.delete(listener);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.connection.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.endAll();
    this.flushListeners.clear();
    await Promise.all([
      closeConnection(this.connection, this.closeTimeoutMs),
      this.subscriber ? closeConnection(this.subscriber, this.closeTimeoutMs) : undefined,
    ]);
  }

  /** Pending waits in this process (for tests and metrics). */
  waiterCount(): number {
    return this.waiters.size;
  }

  /** Subscribes the store's channel once; a failed attempt is retried by the next caller. */
  private subscribe(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('verdict store is closed'));
    if (this.subscription) return this.subscription;
    const subscriber = (this.subscriber ??= this.openSubscriber());
    const subscription = subscriber.subscribe(this.keys.channel).then(() => undefined);
    this.subscription = subscription;
    subscription.catch(() => {
      if (this.subscription === subscription) this.subscription = undefined;
    });
    return subscription;
  }

  private openSubscriber(): RedisConnection {
    const subscriber = this.makeSubscriber();
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.channel) this.receive(message);
    });
    // While the subscription was down, flushes and outcomes may have been published unseen:
    // once it is back, caches are told to drop everything and waiters look at what is recorded.
    let lost = false;
    subscriber.on('close', () => {
      lost = true;
    });
    subscriber.on('ready', () => {
      if (!lost || this.closed) return;
      lost = false;
      subscriber.subscribe(this.keys.channel).then(
        () => this.resync(),
        () => undefined,
      );
    });
    return subscriber;
  }

  private resync(): void {
    this.notifyFlush({ filter: { kind: 'all' } });
    for (const subject of this.waiters.subjects()) void this.wakeIfRecorded(subject, subjectKey(subject));
  }

  private receive(message: string): void {
    const event = decodeEvent(message);
    if (event?.type === 'outcome') this.waiters.wake(event.subject, event.outcome);
    if (event?.type === 'flush') this.notifyFlush(event.event);
  }

  private notifyFlush(event: FlushEvent): void {
    for (const listener of [...this.flushListeners]) {
      try {
        listener(event);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private async wakeIfRecorded(subject: AnalysisSubject, key: string): Promise<void> {
    if (!this.waiters.has(key)) return;
    try {
      const outcome = await recordedOutcome(this, subject);
      if (outcome) this.waiters.wake(key, outcome);
    } catch {
      // Redis unreachable: the wait goes on until an outcome arrives or the deadline.
    }
  }

  private async select(filter: VerdictFilter): Promise<{
    verdicts: Array<[string, Verdict]>;
    memos: Array<[string, MemoValue]>;
    tagDigest: string | undefined;
  }> {
    let tagDigest: string | undefined;
    let verdictPattern = this.keys.allVerdicts;
    if (filter.kind === 'tag') {
      const reference = tagReference(filter);
      const memo = decodeMemo(await this.connection.get(this.keys.tag(reference)));
      tagDigest = memo?.reference === reference ? memo.digest : undefined;
      if (tagDigest === undefined) return { verdicts: [], memos: [], tagDigest };
      verdictPattern = this.keys.verdictsOfDigest(tagDigest);
    }
    if (filter.kind === 'digest') verdictPattern = this.keys.verdictsOfDigest(filter.digest);

    const verdicts: Array<[string, Verdict]> = [];
    const now = this.now();
    await this.scanValues(verdictPattern, (key, text) => {
      const verdict = decodeVerdict(text);
      if (verdict && verdict.expiresAt > now && verdictMatches(filter, verdict, tagDigest)) {
        verdicts.push([key, verdict]);
      }
    });
    const memos: Array<[string, MemoValue]> = [];
    if (filter.kind === 'tag') {
      memos.push([this.keys.tag(tagReference(filter)), { reference: tagReference(filter), digest: tagDigest ?? '' }]);
    } else {
      await this.scanValues(this.keys.allTags, (key, text) => {
        const memo = decodeMemo(text);
        if (memo && memoMatches(filter, memo)) memos.push([key, memo]);
      });
    }
    return { verdicts, memos, tagDigest };
  }

  /** SCAN (never KEYS) on the node holding the prefix's slot, then MGET, batch by batch. */
  private async scanValues(pattern: string, visit: (key: string, value: string | null) => void): Promise<void> {
    for (const node of await this.scanNodes()) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH);
        cursor = next;
        if (keys.length === 0) continue;
        const values = await this.connection.mget(...keys);
        keys.forEach((key, index) => visit(key, values[index] ?? null));
      } while (cursor !== '0');
    }
  }

  /** Standalone: the connection. Cluster: the master owning the prefix's hash slot. */
  private async scanNodes(): Promise<Redis[]> {
    const connection = this.connection;
    if (!connection.isCluster) return [connection as Redis];
    const cluster = connection as Exclude<RedisConnection, Redis>;
    this.slot ??= cluster.cluster('KEYSLOT', this.keys.base).then(Number);
    const slot = await this.slot.catch((error: unknown) => {
      this.slot = undefined;
      throw error;
    });
    const owner = cluster.slots[slot]?.[0];
    const masters = cluster.nodes('master');
    const node = masters.find((candidate) => `${candidate.options.host}:${candidate.options.port}` === owner);
    // Slots not known yet (or moving): every master; the prefix's keys are on one of them.
    return node ? [node] : masters;
  }

  private async deleteKeys(keys: readonly string[]): Promise<number> {
    let removed = 0;
    for (let start = 0; start < keys.length; start += BATCH) {
      removed += await this.connection.del(...keys.slice(start, start + BATCH));
    }
    return removed;
  }
}
