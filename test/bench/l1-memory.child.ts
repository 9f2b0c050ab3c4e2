import { CachingVerdictStore } from '@scangate/verdicts';
import { benchKey, memoryDigest, redisStore, storeConfig } from './verdict-cache';

// The memory an L1 holding `count` verdicts takes: the webhook's CachingVerdictStore (limit =
// count) in front of a RedisVerdictStore whose Redis already holds the verdicts; every one is read
// once, so L1 keeps exactly the objects the admission path would. Heap measured after a full GC
// (node --expose-gc) before and after.
//   node --expose-gc l1-memory.child.js '<L1MemorySpec JSON>' → stderr "BENCH_READY <L1MemoryResult JSON>"

export interface L1MemorySpec {
  readonly redisUrl: string;
  readonly count: number;
  readonly analyzer: { readonly name: string; readonly fingerprint: string };
}

export interface L1MemoryResult {
  readonly entries: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly defaultMaxEntries: number;
}

function settle(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage();
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as L1MemorySpec;
  const config = storeConfig(spec.redisUrl);
  const l1 = new CachingVerdictStore(await redisStore(spec.redisUrl), {
    maxEntries: spec.count,
    tagTTL: config.cache.tagTTL,
  });
  // Connection and code paths warm before the baseline.
  await l1.getVerdict(benchKey(memoryDigest(0), spec.analyzer));
  const before = settle();
  const BATCH = 1000;
  let found = 0;
  for (let start = 0; start < spec.count; start += BATCH) {
    const got = await Promise.all(
      Array.from({ length: Math.min(BATCH, spec.count - start) }, (_, k) =>
        l1.getVerdict(benchKey(memoryDigest(start + k), spec.analyzer)),
      ),
    );
    found += got.filter((v) => v !== undefined).length;
  }
  const after = settle();
  const entries = l1.stats().size;
  if (found !== spec.count || entries !== spec.count)
    throw new Error(`expected ${spec.count} verdicts in L1, found ${found} in Redis and ${entries} in L1`);
  const result: L1MemoryResult = {
    entries,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    rssBefore: before.rss,
    rssAfter: after.rss,
    defaultMaxEntries: config.cache.l1MaxEntries,
  };
  process.stderr.write(`BENCH_READY ${JSON.stringify(result)}\n`);
  await l1.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`L1 memory child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
