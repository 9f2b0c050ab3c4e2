import type { ScangateConfig } from '@scangate/config';
import type { AnalysisJobState, AnalysisJobStatus } from '@scangate/queue';
import { BullAnalysisQueue } from '@scangate/queue';
import type { AnalysisSubject } from '@scangate/verdicts';
import { RedisVerdictStore, createRedisConnection } from '@scangate/verdicts';
import { createLogger } from '@scangate/logging';
import type { RunningWorker } from '@scangate/worker';
import { startWorker } from '@scangate/worker';
import { unresolvedTagDigest } from '@scangate/analysis';
import type { AnalyzerCall, TestAnalyzerOptions } from './harness/test-analyzer';
import { TEST_FINDING, TestAnalyzer, TestResolver, testTagDigest } from './harness/test-analyzer';
import { type TestRedis, type TestRedisCluster, startRedis, startRedisCluster } from './harness/redis-server';
import { loadTestConfig } from './harness/webhook-harness';

// The queue, the worker and the verdict store together against a real redis-server: BullAnalysisQueue
// produces, startWorker (in this process) consumes with the TestAnalyzer, RedisVerdictStore holds
// what came out. Each test has its own key prefix, so tests never see each other's jobs.

const ERROR_BACKOFF_MS = 40;
let redis: TestRedis;
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

interface Rig {
  readonly config: ScangateConfig;
  readonly queue: BullAnalysisQueue;
  readonly store: RedisVerdictStore;
  readonly analyzer: TestAnalyzer;
  readonly calls: AnalyzerCall[];
  readonly worker: RunningWorker;
  subject(reference: string): AnalysisSubject;
  /** Polls the job (every 20 ms, up to 20 s) until it is in one of `states`. */
  until(jobId: string, states: readonly AnalysisJobState[]): Promise<AnalysisJobStatus>;
  close(): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((rig) => rig.close()));
});

async function rig(
  options: { concurrency?: number; analyzer?: TestAnalyzerOptions; redisConfig?: Record<string, unknown> } = {},
): Promise<Rig> {
  prefixes += 1;
  const { config } = loadTestConfig({
    redis: { ...(options.redisConfig ?? { url: redis.url }), prefix: `t${prefixes}` },
    cache: { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: ERROR_BACKOFF_MS },
    worker: {
      concurrency: options.concurrency ?? 4,
      lockDurationMs: 5000,
      stalledIntervalMs: 5000,
      shutdownGraceMs: 5000,
    },
  });
  const redisConfig = config.redis;
  if (!redisConfig) throw new Error('test config has no redis');
  const calls: AnalyzerCall[] = [];
  const analyzer = new TestAnalyzer({ ...options.analyzer, onCall: (call) => calls.push(call) });
  const store = RedisVerdictStore.fromConfig(redisConfig, config.cache);
  const connection = createRedisConnection(redisConfig, 'queue');
  const queue = new BullAnalysisQueue({ connection, redis: redisConfig, cache: config.cache });
  const worker = await startWorker({
    config,
    analyzer,
    resolver: new TestResolver(),
    logger: createLogger('silent'),
    store,
  });
  const made: Rig = {
    config,
    queue,
    store,
    analyzer,
    calls,
    worker,
    subject: (reference) => ({ reference, analyzer: analyzer.name, fingerprint: analyzer.fingerprint }),
    async until(jobId, states) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const status = await queue.status(jobId);
        if (status && states.includes(status.state)) return status;
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} never reached ${states.join('|')}: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await worker.close();
      await queue.close();
      await store.close();
      connection.disconnect();
    },
  };
  rigs.push(made);
  return made;
}

describe('analysis queue and worker (real redis-server)', () => {
  it('makes one job and one analysis of 100 concurrent enqueues of a new subject', async () => {
    const r = await rig();
    // Slow enough that the job is still running while the enqueues arrive.
    const subject = r.subject('registry.test/team/slow-app:slow-300');
    const results = await Promise.all(Array.from({ length: 100 }, () => r.queue.enqueue(subject)));
    expect(results.filter((x) => x.created)).toHaveLength(1);
    expect(new Set(results.map((x) => x.jobId)).size).toBe(1);
    const jobId = results[0]?.jobId ?? '';

    const done = await r.until(jobId, ['completed', 'failed']);
    const digest = testTagDigest(subject.reference);
    expect(done).toMatchObject({ state: 'completed', subject, attempts: 1, outcome: `allowed ${digest}` });
    expect(r.analyzer.calls(digest)).toBe(1);
    const key = { digest, analyzer: 'test', fingerprint: 'test-v1' };
    expect(await r.store.getVerdict(key)).toMatchObject({
      allowed: true,
      repositories: ['registry.test/team/slow-app'],
    });
    expect(await r.store.getTagDigest(subject.reference)).toBe(digest);
    expect(await r.queue.counts()).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 1, failed: 0 });
  });

  it('never lets a kept finished job block the next analysis, and a forced rescan analyses again', async () => {
    const r = await rig();
    const subject = r.subject('registry.test/team/app:1');
    const digest = testTagDigest(subject.reference);
    const first = await r.queue.enqueue(subject);
    await r.until(first.jobId, ['completed']);

    const again = await r.queue.enqueue(subject);
    expect(again.created).toBe(true);
    expect(again.jobId).not.toBe(first.jobId);
    expect(await r.until(again.jobId, ['completed'])).toMatchObject({
      outcome: `allowed ${digest} (verdict already cached)`,
    });
    expect(r.analyzer.calls(digest)).toBe(1);

    const rescan = await r.queue.enqueue(subject, { force: true });
    expect(rescan.created).toBe(true);
    expect(await r.until(rescan.jobId, ['completed'])).toMatchObject({ outcome: `allowed ${digest}` });
    expect(r.analyzer.calls(digest)).toBe(2);
  });

  it('forces a fresh job even while one is queued for the subject', async () => {
    const r = await rig({ concurrency: 1 });
    const blocker = await r.queue.enqueue(r.subject('registry.test/team/slow-blocker:slow-300'));
    const subject = r.subject('registry.test/team/app:2');
    const queued = await r.queue.enqueue(subject);
    const forced = await r.queue.enqueue(subject, { force: true });
    expect(forced.created).toBe(true);
    expect(forced.jobId).not.toBe(queued.jobId);
    // Later enqueues fold into the forced job.
    expect(await r.queue.enqueue(subject)).toEqual({ jobId: forced.jobId, created: false });
    await r.until(blocker.jobId, ['completed']);
    await r.until(queued.jobId, ['completed']);
    await r.until(forced.jobId, ['completed']);
    expect(r.analyzer.calls(testTagDigest(subject.reference))).toBe(2);
  });

  it('records a permanent analyzer failure without a verdict; a rescan after the failure runs again', async () => {
    const r = await rig();
    const subject = r.subject('registry.test/team/broken-app:1');
    const digest = testTagDigest(subject.reference);
    const outcome = r.store.waitForOutcome(subject, Date.now() + 20_000);
    const job = await r.queue.enqueue(subject);
    expect(await outcome).toEqual({ kind: 'failed', reason: 'analyzer: test analyzer: broken image' });
    expect(await r.until(job.jobId, ['failed'])).toMatchObject({
      attempts: 1,
      outcome: 'failed: analyzer: test analyzer: broken image',
    });
    expect(await r.store.getFailure(subject)).toBe('analyzer: test analyzer: broken image');
    expect(await r.store.getVerdict({ digest, analyzer: 'test', fingerprint: 'test-v1' })).toBeUndefined();
    expect(await r.store.listVerdicts({ kind: 'all' }, 10)).toEqual([]);

    const rescan = await r.queue.enqueue(subject, { force: true });
    expect(rescan.created).toBe(true);
    await r.until(rescan.jobId, ['failed']);
    expect(r.analyzer.calls(digest)).toBe(2);
  });

  it('retries a transient failure with exponential backoff, then records it and leaves no verdict', async () => {
    const r = await rig();
    const subject = r.subject('registry.test/team/flaky-app:fail-9');
    const job = await r.queue.enqueue(subject);
    const failed = await r.until(job.jobId, ['failed']);
    expect(failed).toMatchObject({ attempts: 5, outcome: 'failed: analyzer: test analyzer: flaky failure 5' });
    expect(r.calls.map((c) => c.call)).toEqual([1, 2, 3, 4, 5]);
    // Gaps grow with the backoff: errorBackoffMs × 2^(n-1), less at most 20 % jitter.
    const gaps = r.calls.slice(1).map((c, i) => c.at - (r.calls[i]?.at ?? 0));
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(Math.floor(ERROR_BACKOFF_MS * 2 ** i * 0.8)));
    expect(await r.store.getFailure(subject)).toBe('analyzer: test analyzer: flaky failure 5');
    expect(await r.store.listVerdicts({ kind: 'all' }, 10)).toEqual([]);
  });

  it('lands the verdict when a retry succeeds', async () => {
    const r = await rig();
    const subject = r.subject('registry.test/team/flaky-app:fail-2');
    const job = await r.queue.enqueue(subject);
    expect(await r.until(job.jobId, ['completed', 'failed'])).toMatchObject({ state: 'completed', attempts: 3 });
    expect(await r.store.getFailure(subject)).toBeUndefined();
    expect(
      await r.store.getVerdict({ digest: testTagDigest(subject.reference), analyzer: 'test', fingerprint: 'test-v1' }),
    ).toMatchObject({
      allowed: true,
    });
  });

  it('turns a permanent registry error into a deny verdict, and the analyzer denial into one with its finding', async () => {
    const r = await rig();
    const missing = r.subject('registry.test/team/missing-app:1');
    const denied = r.subject('registry.test/team/deny-app:1');
    const [a, b] = await Promise.all([r.queue.enqueue(missing), r.queue.enqueue(denied)]);
    await r.until(a?.jobId ?? '', ['completed']);
    await r.until(b?.jobId ?? '', ['completed']);

    const missingKey = unresolvedTagDigest(missing.reference);
    expect(await r.store.getTagDigest(missing.reference)).toBe(missingKey);
    expect(await r.store.getVerdict({ digest: missingKey, analyzer: 'test', fingerprint: 'test-v1' })).toMatchObject({
      allowed: false,
      reason: 'registry: manifest unknown: registry.test/team/missing-app:1 (MANIFEST_UNKNOWN)',
    });
    expect(
      await r.store.getVerdict({ digest: testTagDigest(denied.reference), analyzer: 'test', fingerprint: 'test-v1' }),
    ).toMatchObject({
      allowed: false,
      reason: TEST_FINDING,
    });
    expect(r.analyzer.calls(missingKey)).toBe(0);
  });

  it('re-schedules a pending analysis without holding the only slot', async () => {
    const r = await rig({ concurrency: 1, analyzer: { pendingRetryAfterMs: 300 } });
    const pending = r.subject('registry.test/team/pending-app:1');
    const other = r.subject('registry.test/team/other-app:1');
    const p = await r.queue.enqueue(pending);
    await r.until(p.jobId, ['delayed']);
    expect(await r.queue.status(p.jobId)).toMatchObject({
      outcome: 'pending: test analyzer: scanning (again in 300 ms)',
    });
    const o = await r.queue.enqueue(other);
    const otherDone = await r.until(o.jobId, ['completed']);
    const pendingDone = await r.until(p.jobId, ['completed']);
    // The other job ran while the pending one waited out its delay, in the worker's only slot.
    expect(otherDone.finishedAt).toBeLessThan(pendingDone.finishedAt ?? 0);
    expect(r.calls.map((c) => c.reference)).toEqual([
      pending.reference,
      other.reference,
      pending.reference,
      pending.reference,
    ]);
    // Re-schedules spend no attempt.
    expect(pendingDone).toMatchObject({ attempts: 1, outcome: `allowed ${testTagDigest(pending.reference)}` });
  });

  it('answers unknown and malformed job ids with nothing', async () => {
    const r = await rig();
    expect(await r.queue.status('nope')).toBeUndefined();
    expect(await r.queue.status(`${'a'.repeat(64)}-abc00000000`)).toBeUndefined();
  });
});

describe('analysis queue and worker on a Redis Cluster (3 masters)', () => {
  let cluster: TestRedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('deduplicates, analyses and stores under the hash-tagged prefix', async () => {
    const r = await rig({ redisConfig: { cluster: [...cluster.addresses] } });
    const subject = r.subject('registry.test/team/slow-app:slow-200');
    const results = await Promise.all(Array.from({ length: 50 }, () => r.queue.enqueue(subject)));
    expect(results.filter((x) => x.created)).toHaveLength(1);
    const done = await r.until(results[0]?.jobId ?? '', ['completed']);
    expect(done.outcome).toBe(`allowed ${testTagDigest(subject.reference)}`);
    expect(r.analyzer.calls()).toBe(1);
    const rescan = await r.queue.enqueue(subject, { force: true });
    await r.until(rescan.jobId, ['completed']);
    expect(r.analyzer.calls()).toBe(2);
  });
});

describe('producer on a hot-path connection (the webhook enqueueing within its budget)', () => {
  let own: TestRedis;
  beforeAll(async () => {
    own = await startRedis();
  });
  afterAll(async () => {
    await own?.dispose();
  });

  it('fails fast while Redis is down or hung, and enqueues again once it is back', async () => {
    const redisConfig = { mode: 'standalone' as const, url: own.url, prefix: 'hot', commandTimeoutMs: 200 };
    const connection = createRedisConnection(redisConfig, 'hot-path');
    const queue = new BullAnalysisQueue({ connection, redis: redisConfig, cache: { errorBackoffMs: 10 } });
    const subject: AnalysisSubject = {
      reference: 'registry.test/team/app:1',
      analyzer: 'test',
      fingerprint: 'test-v1',
    };
    try {
      expect((await queue.enqueue(subject)).created).toBe(true);

      own.pause(); // SIGSTOP: connected, but nothing answers
      let started = Date.now();
      await expect(queue.enqueue(subject)).rejects.toThrow(/timed out/i);
      const hungMs = Date.now() - started;
      own.resume();

      await own.stop();
      started = Date.now();
      await expect(queue.enqueue(subject)).rejects.toThrow();
      const downMs = Date.now() - started;
      expect(hungMs).toBeLessThan(1000);
      expect(downMs).toBeLessThan(1000);

      await own.restart();
      const deadline = Date.now() + 10_000;
      let back: Awaited<ReturnType<BullAnalysisQueue['enqueue']>> | undefined;
      while (!back) {
        back = await queue.enqueue(subject).catch(() => undefined);
        if (!back && Date.now() > deadline) throw new Error('enqueue never worked again after the restart');
        if (!back) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // The restarted server is empty (no persistence): a new job.
      expect(back.created).toBe(true);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
