import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisConfig } from '@scangate/config';
import type { AnalysisJobState, AnalysisJobStatus } from '@scangate/queue';
import { BullAnalysisQueue } from '@scangate/queue';
import type { AnalysisSubject } from '@scangate/verdicts';
import { RedisVerdictStore, createRedisConnection } from '@scangate/verdicts';
import { stringify } from 'yaml';
import { type TestRedis, startRedis } from './harness/redis-server';
import type { AnalyzerCall } from './harness/test-analyzer';
import { testTagDigest } from './harness/test-analyzer';
import { tempDir } from './harness/webhook-harness';
import { type SpawnedWorker, spawnWorker } from './harness/worker-process';

// `scangate worker` as separate processes (test/harness/worker-process.ts: startWorker with the
// TestAnalyzer) against a real redis-server: a worker killed mid-job, and graceful SIGTERM.

const LOCK_MS = 1000;
const STALLED_INTERVAL_MS = 1000;

let redis: TestRedis;
let dir: string;
let prefixes = 0;
const spawned: SpawnedWorker[] = [];
const setups: Setup[] = [];
const figures: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = tempDir('worker-process');
});
afterEach(async () => {
  for (const worker of spawned.splice(0)) {
    worker.kill('SIGKILL');
    await worker.exited;
  }
  await Promise.all(setups.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await redis?.dispose();
  // Measured figures, for the record (not asserted beyond their bounds below).
  if (figures.length > 0) process.stderr.write(`worker-process figures:\n  ${figures.join('\n  ')}\n`);
});

interface Setup {
  readonly configFile: string;
  readonly callLog: string;
  readonly queue: BullAnalysisQueue;
  readonly store: RedisVerdictStore;
  subject(reference: string): AnalysisSubject;
  start(): Promise<SpawnedWorker>;
  /** Analyzer calls logged so far by every worker process of this setup. */
  calls(): AnalyzerCall[];
  /** Polls the call log (every 20 ms, up to 20 s) for a call matching `match`. */
  call(match: (call: AnalyzerCall) => boolean): Promise<AnalyzerCall>;
  until(jobId: string, states: readonly AnalysisJobState[]): Promise<AnalysisJobStatus>;
  close(): Promise<void>;
}

async function setup(shutdownGraceMs: number): Promise<Setup> {
  prefixes += 1;
  const prefix = `wp${prefixes}`;
  const configFile = join(dir, `${prefix}.yaml`);
  const callLog = join(dir, `${prefix}.calls.jsonl`);
  writeFileSync(
    configFile,
    stringify({
      redis: { url: redis.url, prefix },
      cache: { errorBackoffMs: 50 },
      worker: { concurrency: 2, shutdownGraceMs, lockDurationMs: LOCK_MS, stalledIntervalMs: STALLED_INTERVAL_MS },
      log: { level: 'info' },
    }),
  );
  const redisConfig: RedisConfig = { mode: 'standalone', url: redis.url, prefix, commandTimeoutMs: 500 };
  const cache = { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 50, l1MaxEntries: 0 };
  const connection = createRedisConnection(redisConfig, 'queue');
  const queue = new BullAnalysisQueue({ connection, redis: redisConfig, cache });
  const store = RedisVerdictStore.fromConfig(redisConfig, cache);
  const calls = (): AnalyzerCall[] =>
    existsSync(callLog)
      ? readFileSync(callLog, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as AnalyzerCall)
      : [];
  const made: Setup = {
    configFile,
    callLog,
    queue,
    store,
    subject: (reference) => ({ reference, analyzer: 'test', fingerprint: 'test-v1' }),
    async start() {
      const worker = spawnWorker(configFile, callLog);
      spawned.push(worker);
      await worker.ready;
      return worker;
    },
    calls,
    async call(match) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = calls().find(match);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no such analyzer call within 20 s; calls: ${JSON.stringify(calls())}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
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
      await queue.close();
      await store.close();
      connection.disconnect();
    },
  };
  setups.push(made);
  return made;
}

/** Polls a worker's log (every 20 ms, up to 20 s) until it contains `text`. */
async function logged(worker: SpawnedWorker, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!worker.stderr().includes(text)) {
    if (Date.now() > deadline) throw new Error(`worker never logged "${text}":\n${worker.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('worker processes (real redis-server)', () => {
  it('recovers the job of a worker killed mid-analysis (SIGKILL) in another worker, and the verdict lands', async () => {
    const s = await setup(10_000);
    const a = await s.start();
    const subject = s.subject('registry.test/team/slow-app:slow-2000');
    const digest = testTagDigest(subject.reference);
    const { jobId } = await s.queue.enqueue(subject);
    await s.call((c) => c.pid === a.process.pid);
    const b = await s.start();

    const landed = s.store.waitForOutcome(subject, Date.now() + 30_000);
    const killedAt = Date.now();
    a.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const recovered = await s.call((c) => c.pid === b.process.pid);
    expect(await landed).toEqual({ kind: 'verdict', digest });
    const landedAfter = Date.now() - killedAt;
    expect(await s.until(jobId, ['completed'])).toMatchObject({ outcome: `allowed ${digest}` });
    expect(await s.store.getVerdict({ digest, analyzer: 'test', fingerprint: 'test-v1' })).toMatchObject({
      allowed: true,
    });
    expect(s.calls().map((c) => c.pid)).toEqual([a.process.pid, b.process.pid]);
    // Picked up once the dead worker's lock expired and a stalled check saw it: about LOCK_MS plus
    // one or two STALLED_INTERVAL_MS; the bound leaves room for a loaded machine.
    const pickedUpAfter = recovered.at - killedAt;
    expect(pickedUpAfter).toBeGreaterThanOrEqual(LOCK_MS / 2);
    expect(pickedUpAfter).toBeLessThan(LOCK_MS + 3 * STALLED_INTERVAL_MS + 6000);
    figures.push(
      `SIGKILL recovery (lock ${LOCK_MS} ms, stalled check ${STALLED_INTERVAL_MS} ms): picked up by another worker after ${pickedUpAfter} ms, verdict landed after ${landedAfter} ms (analysis takes 2000 ms)`,
    );
  });

  it('lets the active job finish on SIGTERM and takes no new job', async () => {
    const s = await setup(10_000);
    const a = await s.start();
    const subject = s.subject('registry.test/team/slow-app:slow-1500');
    const digest = testTagDigest(subject.reference);
    const { jobId } = await s.queue.enqueue(subject);
    await s.call((c) => c.digest === digest);

    const termAt = Date.now();
    a.kill('SIGTERM');
    await logged(a, 'stopping: no new jobs');
    const later = await s.queue.enqueue(s.subject('registry.test/team/app:after-sigterm'));
    expect(await a.exited).toEqual({ code: 0, signal: null });
    const stoppedAfter = Date.now() - termAt;

    expect(await s.queue.status(jobId)).toMatchObject({
      state: 'completed',
      attempts: 1,
      outcome: `allowed ${digest}`,
    });
    expect(await s.store.getVerdict({ digest, analyzer: 'test', fingerprint: 'test-v1' })).toMatchObject({
      allowed: true,
    });
    expect(await s.queue.status(later.jobId)).toMatchObject({ state: 'waiting' });
    expect(s.calls()).toHaveLength(1);
    figures.push(`SIGTERM with a 1500 ms analysis running: process exited after ${stoppedAfter} ms, job completed`);
  });

  it('hands the job back at once when the shutdown grace runs out, and another worker finishes it', async () => {
    const s = await setup(200);
    const a = await s.start();
    const subject = s.subject('registry.test/team/slow-app:slow-2500');
    const digest = testTagDigest(subject.reference);
    const { jobId } = await s.queue.enqueue(subject);
    await s.call((c) => c.pid === a.process.pid);
    const b = await s.start();

    const termAt = Date.now();
    a.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    const stoppedAfter = Date.now() - termAt;
    const resumed = await s.call((c) => c.pid === b.process.pid);
    const done = await s.until(jobId, ['completed', 'failed']);
    // Handing back spends no attempt and needs no lock expiry.
    expect(done).toMatchObject({ state: 'completed', attempts: 1, outcome: `allowed ${digest}` });
    expect(resumed.at - termAt).toBeLessThan(LOCK_MS);
    expect(stoppedAfter).toBeLessThan(200 + 2000);
    figures.push(
      `SIGTERM with grace 200 ms and a 2500 ms analysis: process exited after ${stoppedAfter} ms, job resumed by the other worker after ${resumed.at - termAt} ms`,
    );
  });
});
