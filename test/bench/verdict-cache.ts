import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '@scangate/config';
import type { ScangateConfig } from '@scangate/config';
import { parseImageRef } from '@scangate/image-ref';
import { RedisVerdictStore, connectionReady, createRedisConnection } from '@scangate/verdicts';
import type { VerdictKey } from '@scangate/verdicts';
import { Redis } from 'ioredis';
import { startRedis } from '../harness/redis-server';
import type { BenchProcesses } from './bench-processes';
import { CPU, canPin, readyLine } from './bench-processes';
import type { L1MemoryResult, L1MemorySpec } from './l1-memory.child';
import { digestFor } from './reviews';

/** The analyzer identity (verdict key) scenario (c) runs with and the verdicts are written under. */
export const BENCH_ANALYZER = { name: 'bench', fingerprint: 'bench-policy-v1' } as const;

/** The verdict key of `digest` under BENCH_ANALYZER. */
export function benchKey(
  digest: string,
  analyzer: { readonly name: string; readonly fingerprint: string } = BENCH_ANALYZER,
): VerdictKey {
  return { digest, analyzer: analyzer.name, fingerprint: analyzer.fingerprint };
}

/** Verdicts and tag memos outlive the whole run. */
const LIFETIME_SECONDS = 3600;

export interface BenchRedis {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The `redis` and `cache` config of the bench's own stores (writing verdicts, the L1 memory
 * child), as loadConfig makes it. Their command timeout is generous: bulk writes of 100k verdicts
 * on a loaded machine are not the admission path (the webhooks keep the default).
 */
export function storeConfig(url: string): ScangateConfig {
  return loadConfig({
    env: {
      SCANGATE_REDIS_URL: url,
      SCANGATE_REDIS_COMMANDTIMEOUTMS: '5000', // the highest the config allows
      SCANGATE_CACHE_ALLOWTTL: String(LIFETIME_SECONDS),
      SCANGATE_CACHE_TAGTTL: String(LIFETIME_SECONDS),
    },
  }).config;
}

/** A real redis-server (test/harness) on a free port, pinned beside the load generator; stopped by `processes.stopAll()`. */
export async function startBenchRedis(processes: BenchProcesses): Promise<BenchRedis> {
  const redis = await startRedis();
  const stop = processes.adopt(() => redis.dispose());
  const client = redis.client();
  const info = await client.info('server');
  client.disconnect();
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
  if (pid > 0 && canPin()) spawnSync('taskset', ['-pc', String(CPU.loadGenerator), String(pid)], { stdio: 'ignore' });
  return { url: redis.url, pid, stop };
}

/** A RedisVerdictStore for `url` with the webhook's connection roles, once its hot-path connection is ready. */
export async function redisStore(url: string): Promise<RedisVerdictStore> {
  const { redis, cache } = storeConfig(url);
  if (!redis) throw new Error(`no redis config from SCANGATE_REDIS_URL=${url}`);
  // The hot-path connection has no offline queue: wait for it before the first command.
  const connection = createRedisConnection(redis, 'hot-path');
  await connectionReady(connection, 10_000);
  return new RedisVerdictStore({
    connection,
    subscriber: () => createRedisConnection(redis, 'subscriber'),
    prefix: redis.prefix,
    lifetimes: cache,
  });
}

async function withStore<T>(url: string, use: (store: RedisVerdictStore) => Promise<T>): Promise<T> {
  const store = await redisStore(url);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Tag memos and allow verdicts (under BENCH_ANALYZER) for every image: the warm cache of (c). */
export async function populateVerdicts(url: string, images: readonly string[]): Promise<void> {
  await withStore(url, async (store) => {
    const analyzedAt = Date.now();
    await Promise.all(
      images.map(async (image) => {
        const ref = parseImageRef(image);
        const digest = digestFor(ref.canonical);
        await store.putTagDigest(ref.canonical, digest);
        await store.putVerdict({ ...benchKey(digest), allowed: true, repositories: [ref.name], analyzedAt });
      }),
    );
  });
}

/** Digest i of the memory measurement (the L1 child derives the same ones). */
export function memoryDigest(i: number): string {
  return digestFor(`registry.example.com/team/app-${i}`);
}

function memoryInfo(text: string): { used: number; rss: number } {
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { used: field('used_memory'), rss: field('used_memory_rss') };
}

const MiB = 1024 * 1024;

/**
 * Memory of `count` distinct cached digests, measured: a fresh redis-server's `used_memory` and
 * RSS before and after writing `count` allow verdicts through RedisVerdictStore, then a child
 * process whose L1 (CachingVerdictStore with `cache.l1MaxEntries` = count, in front of that
 * Redis) reads every one of them: its heap after a full GC, before and after.
 */
export async function measureCachedDigestMemory(
  processes: BenchProcesses,
  count: number,
  out: (line: string) => void,
): Promise<void> {
  const redis = await startBenchRedis(processes);
  try {
    const info = new Redis(redis.url);
    const before = memoryInfo(await info.info('memory'));
    await withStore(redis.url, async (store) => {
      const analyzedAt = Date.now();
      const BATCH = 1000;
      for (let start = 0; start < count; start += BATCH) {
        await Promise.all(
          Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => {
            const i = start + k;
            return store.putVerdict({
              ...benchKey(memoryDigest(i)),
              allowed: true,
              repositories: [`registry.example.com/team/app-${i}`],
              analyzedAt,
            });
          }),
        );
      }
    });
    const after = memoryInfo(await info.info('memory'));
    const keys = await info.dbsize();
    const sample = (await info.keys('*')).slice(0, 1)[0] ?? '';
    const sampleValue = sample ? ((await info.get(sample)) ?? '') : '';
    info.disconnect();

    const spec: L1MemorySpec = { redisUrl: redis.url, count, analyzer: BENCH_ANALYZER };
    const child = processes.spawn(
      process.execPath,
      ['--expose-gc', join(__dirname, 'l1-memory.child.js'), JSON.stringify(spec)],
      { cpu: CPU.server },
    );
    const l1 = await readyLine<L1MemoryResult>(child, 'L1 memory child', 60_000);
    await processes.stop(child);

    out(
      `\nmemory of ${count.toLocaleString('en')} distinct cached digests (allow verdicts, one repository each, analyzer "${BENCH_ANALYZER.name}")`,
    );
    out(
      `  one verdict in Redis: ${sample.length} bytes key, ${sampleValue.length} bytes JSON value (${keys.toLocaleString('en')} keys)`,
    );
    out(
      `  Redis 7 used_memory       +${((after.used - before.used) / MiB).toFixed(1)} MiB (${Math.round((after.used - before.used) / count)} bytes/verdict); ` +
        `used_memory_rss +${((after.rss - before.rss) / MiB).toFixed(1)} MiB`,
    );
    out(
      `  L1 (CachingVerdictStore)  +${((l1.heapAfter - l1.heapBefore) / MiB).toFixed(1)} MiB heap after GC (${Math.round((l1.heapAfter - l1.heapBefore) / count)} bytes/entry, ` +
        `${l1.entries.toLocaleString('en')} entries held); RSS +${((l1.rssAfter - l1.rssBefore) / MiB).toFixed(1)} MiB; ` +
        `default cache.l1MaxEntries ${l1.defaultMaxEntries.toLocaleString('en')}`,
    );
  } finally {
    await redis.stop();
  }
}
