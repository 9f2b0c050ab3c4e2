import type { RedisConfig } from '@scangate/config';
import {
  CachingVerdictStore,
  closeConnection,
  connectionReady,
  createRedisConnection,
  type FlushEvent,
  type RedisConnection,
  type RedisVerdictStore,
  type StoreLifetimes,
  type Verdict,
} from '@scangate/verdicts';
import { startRedis, type TestRedis } from './harness/redis-server';
import { openRedisStore, standaloneConfig } from './harness/redis-store-harness';

// The webhook's in-process cache (L1) over a real Redis: it never outlives Redis's TTLs, answers
// what it holds while Redis is stopped, fails fast for the rest, and needs nothing recreated when
// Redis comes back. The L1 clock is injected, so its expiry needs no waiting.

const LIFETIMES: StoreLifetimes = { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500 };
const DIGEST = `sha256:${'e'.repeat(64)}`;
const OTHER = `sha256:${'f'.repeat(64)}`;
const REPO = 'docker.io/library/nginx';
const KEY = { digest: DIGEST, analyzer: 'clair', fingerprint: 'f1' };

let redis: TestRedis;
let config: RedisConfig;
let inspector: RedisConnection;
let prefixCounter = 0;
const open: Array<CachingVerdictStore | RedisVerdictStore> = [];

beforeAll(async () => {
  redis = await startRedis();
  config = standaloneConfig(redis.url);
  inspector = createRedisConnection(config, 'queue');
  await connectionReady(inspector, 10_000);
});
afterEach(async () => {
  if (!redis.running) await redis.restart();
  await Promise.all(open.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  // Ready first (the last test restarted Redis): a clean QUIT leaves no ioredis timer behind.
  if (inspector) await connectionReady(inspector, 10_000).finally(() => closeConnection(inspector, 1000));
  await redis?.dispose();
});

function verdict(analyzedAt: number, allowed = true): Omit<Verdict, 'expiresAt'> {
  return { ...KEY, allowed, repositories: [REPO], analyzedAt };
}

async function backing(prefix: string): Promise<RedisVerdictStore> {
  const store = await openRedisStore({ ...config, prefix }, LIFETIMES);
  open.push(store);
  return store;
}

/** A caching store over its own Redis store; `clock.now` is the L1's clock. */
async function cached(prefix = `l1-${++prefixCounter}`, maxEntries = 100) {
  const clock = { now: Date.now() };
  const redisStore = await backing(prefix);
  const store = new CachingVerdictStore(redisStore, { maxEntries, tagTTL: LIFETIMES.tagTTL, now: () => clock.now });
  open.push(store);
  return { store, redisStore, clock, prefix };
}

/** Resolves with the next flush event the store's subscription delivers. */
function nextFlush(store: RedisVerdictStore): Promise<FlushEvent> {
  return new Promise((resolve) => {
    const stop = store.onFlush((event) => {
      stop();
      resolve(event);
    });
  });
}

/** Waits for a reconnect (process start-up and ioredis's capped backoff), bounded. */
async function untilPing(store: { ping(): Promise<boolean> }, deadlineMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await store.ping())) {
    if (Date.now() - started > deadlineMs) throw new Error(`no PONG within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

describe('CachingVerdictStore over Redis', () => {
  it('answers cached verdicts while Redis is stopped, fails fast for the rest, and never past expiresAt', async () => {
    const { store, clock } = await cached();
    const stored = await store.putVerdict(verdict(Date.now()));
    expect(store.stats().size).toBe(1);

    await redis.stop();
    expect(await store.getVerdict(KEY)).toEqual(stored);
    const started = Date.now();
    await expect(store.getVerdict({ ...KEY, digest: OTHER })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(config.commandTimeoutMs + 150);

    clock.now = stored.expiresAt;
    await expect(store.getVerdict(KEY)).rejects.toThrow();
    expect(store.stats().size).toBe(0);
  });

  it('keeps a tag memo read from Redis only for its remaining PTTL, not a fresh tagTTL', async () => {
    const { store, redisStore, clock } = await cached();
    const ref = `${REPO}:1.27`;
    await redisStore.putTagDigest(ref, DIGEST);
    // As if written 59.5 s ago: 500 ms left in Redis.
    await inspector.pexpire(redisStore.keys.tag(ref), 500);
    clock.now = Date.now();
    const memo = await store.getTagMemo(ref);
    expect(memo?.digest).toBe(DIGEST);
    expect(memo?.expiresAt).toBeLessThanOrEqual(clock.now + 500);
    expect(memo?.expiresAt).toBeGreaterThan(clock.now + 300);

    await redis.stop();
    expect(await store.getTagDigest(ref)).toBe(DIGEST);
    clock.now = (memo?.expiresAt ?? 0) + 1;
    await expect(store.getTagDigest(ref)).rejects.toThrow();
  });

  it('keeps a memo written through it for tagTTL from before the write', async () => {
    const { store, redisStore, clock } = await cached();
    const ref = `${REPO}:stable`;
    clock.now = Date.now();
    const before = clock.now;
    await store.putTagDigest(ref, DIGEST);
    const pttl = await inspector.pttl(redisStore.keys.tag(ref));
    expect(pttl).toBeGreaterThan(59_000);
    await redis.stop();
    expect(await store.getTagDigest(ref)).toBe(DIGEST);
    clock.now = before + 60_000;
    await expect(store.getTagDigest(ref)).rejects.toThrow();
  });

  it('recovers by itself when Redis restarts on the same port: no store or connection recreated', async () => {
    const { store, redisStore } = await cached();
    await store.putVerdict(verdict(Date.now()));
    const resynced = nextFlush(redisStore);
    await redis.stop();
    await expect(store.putVerdict(verdict(Date.now(), false))).rejects.toThrow();
    await redis.restart();
    const reconnectMs = await untilPing(store);
    expect(reconnectMs).toBeLessThan(5_000);
    // Back with an empty Redis: flushes may have been missed, so the L1 was dropped.
    expect(await resynced).toEqual({ filter: { kind: 'all' } });
    expect(store.stats().size).toBe(0);
    const stored = await store.putVerdict(verdict(Date.now(), false));
    expect(await store.getVerdict(KEY)).toEqual(stored);
    expect(await inspector.pttl(redisStore.keys.verdict(KEY))).toBeGreaterThan(29_000);
  });

  it('drops what another instance flushes, and only that', async () => {
    const here = await cached();
    const there = await cached(here.prefix);
    await here.store.listen();
    await here.store.putVerdict(verdict(Date.now()));
    await here.store.putTagDigest(`${REPO}:1.27`, DIGEST);
    await here.store.putVerdict({ ...verdict(Date.now()), digest: OTHER, repositories: ['docker.io/library/redis'] });
    expect(here.store.stats().size).toBe(3);

    let event = nextFlush(here.redisStore);
    expect(await there.store.flush({ kind: 'repository', repository: 'docker.io/library/busybox' })).toEqual({
      verdicts: 0,
      tags: 0,
    });
    await event;
    expect(here.store.stats().size).toBe(3);

    event = nextFlush(here.redisStore);
    expect(await there.store.flush({ kind: 'tag', repository: REPO, tag: '1.27' })).toEqual({ verdicts: 1, tags: 1 });
    expect(await event).toEqual({ filter: { kind: 'tag', repository: REPO, tag: '1.27' }, digest: DIGEST });
    expect(here.store.stats().size).toBe(1);
    expect(await here.store.getVerdict(KEY)).toBeUndefined();
    expect(await here.store.getTagDigest(`${REPO}:1.27`)).toBeUndefined();
    expect(await here.store.getVerdict({ ...KEY, digest: OTHER })).toBeDefined();
  });

  it('with l1MaxEntries 0 keeps nothing and reads through', async () => {
    const { store } = await cached(undefined, 0);
    await store.putVerdict(verdict(Date.now()));
    expect(store.stats().size).toBe(0);
    expect(await store.getVerdict(KEY)).toBeDefined();
    await redis.stop();
    await expect(store.getVerdict(KEY)).rejects.toThrow();
  });
});
