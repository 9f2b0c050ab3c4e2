import type { AnalysisRunOptions, AnalysisRunResult } from '@scangate/analysis';
import { TransientAnalysisError } from '@scangate/analysis';
import type { AnalysisSubject } from '@scangate/verdicts';
import type { AnalysisAttemptEvent, AnalysisRunner, InProcessAnalysisQueueOptions } from './in-process-analysis-queue';
import { InProcessAnalysisQueue } from './in-process-analysis-queue';

const subject = (reference: string): AnalysisSubject => ({ reference, analyzer: 'test', fingerprint: 'fp' });
const A = subject('docker.io/library/a:1');
const B = subject('docker.io/library/b:1');
const ALLOWED: AnalysisRunResult = { kind: 'done', status: 'verdict', outcome: 'allowed sha256:…' };

interface Call {
  readonly subject: AnalysisSubject;
  readonly options: AnalysisRunOptions;
  readonly settle: (result: AnalysisRunResult | Error) => void;
}

/** A runner whose every run waits until the test settles it (or answers at once via `auto`). */
class ControlledRunner implements AnalysisRunner {
  readonly calls: Call[] = [];
  running = 0;
  maxRunning = 0;
  auto?: (subject: AnalysisSubject, options: AnalysisRunOptions) => AnalysisRunResult | Error | undefined;
  private readonly waiters: (() => void)[] = [];

  run(subject: AnalysisSubject, options: AnalysisRunOptions): Promise<AnalysisRunResult> {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise<AnalysisRunResult>((resolve, reject) => {
      const settle = (result: AnalysisRunResult | Error): void => {
        this.running -= 1;
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      this.calls.push({ subject, options, settle });
      for (const wake of this.waiters.splice(0)) wake();
      const answer = this.auto?.(subject, options);
      if (answer !== undefined) settle(answer);
    });
  }

  /** Resolves when the n-th call (1-based) has started. */
  async nthCall(n: number): Promise<Call> {
    const deadline = Date.now() + 5000;
    while (this.calls.length < n) {
      if (Date.now() > deadline) throw new Error(`call ${n} never came (${this.calls.length} so far)`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.calls[n - 1] as Call;
  }
}

function setup(options: Partial<InProcessAnalysisQueueOptions> = {}) {
  const runner = new ControlledRunner();
  const events: AnalysisAttemptEvent[] = [];
  const queue = new InProcessAnalysisQueue(runner, {
    concurrency: 2,
    errorBackoffMs: 1,
    attempts: 3,
    onAttempt: (event) => events.push(event),
    ...options,
  });
  return { runner, queue, events };
}

/** Polls `check` until it holds (every few ms, up to a deadline). */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('InProcessAnalysisQueue', () => {
  it('makes one job of 100 concurrent enqueues of a new subject', async () => {
    const { runner, queue } = setup();
    const results = await Promise.all(Array.from({ length: 100 }, () => queue.enqueue(A)));
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    expect(new Set(results.map((r) => r.jobId))).toEqual(new Set([created[0]?.jobId]));
    (await runner.nthCall(1)).settle(ALLOWED);
    await eventually(async () => (await queue.status(created[0]?.jobId ?? ''))?.state === 'completed', 'completion');
    expect(runner.calls).toHaveLength(1);
    expect(await queue.status(created[0]?.jobId ?? '')).toMatchObject({
      state: 'completed',
      attempts: 1,
      outcome: 'allowed sha256:…',
      subject: A,
    });
    await queue.close();
  });

  it('analyses again after completion, and a forced enqueue makes a fresh job even while one runs', async () => {
    const { runner, queue } = setup();
    const first = await queue.enqueue(A);
    (await runner.nthCall(1)).settle(ALLOWED);
    await eventually(async () => (await queue.status(first.jobId))?.state === 'completed', 'first job');

    const second = await queue.enqueue(A);
    expect(second).toMatchObject({ created: true });
    expect(second.jobId).not.toBe(first.jobId);
    await runner.nthCall(2);
    const forced = await queue.enqueue(A, { force: true });
    expect(forced.created).toBe(true);
    expect((await runner.nthCall(3)).options.force).toBe(true);
    // Later enqueues fold into the forced job.
    expect(await queue.enqueue(A)).toEqual({ jobId: forced.jobId, created: false });
    runner.calls[1]?.settle(ALLOWED);
    runner.calls[2]?.settle(ALLOWED);
    await queue.close();
  });

  it('retries transient failures with backoff, then records the failure', async () => {
    const { runner, queue, events } = setup();
    runner.auto = () => new TransientAnalysisError('registry: timeout');
    const { jobId } = await queue.enqueue(A);
    await eventually(async () => (await queue.status(jobId))?.state === 'failed', 'failure');
    expect(runner.calls.map((c) => [c.options.attempt, c.options.finalAttempt])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(events.map((e) => e.result)).toEqual(['retry', 'retry', 'failed']);
    expect(await queue.status(jobId)).toMatchObject({ state: 'failed', attempts: 3, outcome: 'registry: timeout' });
    // A failed job no longer holds the subject.
    expect((await queue.enqueue(A)).created).toBe(true);
    await queue.close();
  });

  it('ends as completed after a transient failure, and as failed when the service recorded a failure', async () => {
    const { runner, queue } = setup();
    let n = 0;
    runner.auto = (s) => {
      if (s === A) return (n += 1) === 1 ? new TransientAnalysisError('flaky') : ALLOWED;
      return { kind: 'done', status: 'failed', outcome: 'failed: analyzer: broken' };
    };
    const a = await queue.enqueue(A);
    const b = await queue.enqueue(B);
    await eventually(async () => (await queue.counts()).completed + (await queue.counts()).failed === 2, 'both jobs');
    expect(await queue.status(a.jobId)).toMatchObject({ state: 'completed', attempts: 2 });
    expect(await queue.status(b.jobId)).toMatchObject({
      state: 'failed',
      attempts: 1,
      outcome: 'failed: analyzer: broken',
    });
    await queue.close();
  });

  it('re-schedules a pending analysis without holding a slot', async () => {
    const { runner, queue, events } = setup({ concurrency: 1 });
    const a = await queue.enqueue(A);
    (await runner.nthCall(1)).settle({ kind: 'retry-after', delayMs: 200, outcome: 'pending: scanning' });
    await eventually(async () => (await queue.status(a.jobId))?.state === 'delayed', 'A delayed');
    expect(await queue.status(a.jobId)).toMatchObject({ outcome: 'pending: scanning', attempts: 0 });
    const b = await queue.enqueue(B);
    // B runs in the only slot while A waits out its delay.
    expect((await runner.nthCall(2)).subject).toBe(B);
    runner.calls[1]?.settle(ALLOWED);
    const again = await runner.nthCall(3);
    expect(again.subject).toBe(A);
    expect(again.options.attempt).toBe(1);
    again.settle(ALLOWED);
    await eventually(async () => (await queue.status(a.jobId))?.state === 'completed', 'A completed');
    expect(await queue.status(b.jobId)).toMatchObject({ state: 'completed' });
    expect(events.map((e) => `${e.subject.reference} ${e.result}`)).toEqual([
      'docker.io/library/a:1 pending',
      'docker.io/library/b:1 verdict',
      'docker.io/library/a:1 verdict',
    ]);
    await queue.close();
  });

  it('never runs more analyses at once than its concurrency', async () => {
    const { runner, queue } = setup({ concurrency: 2 });
    const ids = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((n) => queue.enqueue(subject(`docker.io/library/${n}:1`))),
    );
    for (let i = 1; i <= 5; i += 1) (await runner.nthCall(i)).settle(ALLOWED);
    await eventually(async () => (await queue.counts()).completed === 5, 'all five');
    expect(runner.maxRunning).toBe(2);
    expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 5, failed: 0, unknown: 0 });
    expect(ids.every((r) => r.created)).toBe(true);
    await queue.close();
  });

  it('keeps a bounded history of finished jobs', async () => {
    const { runner, queue } = setup({ historyLimit: 2 });
    runner.auto = () => ALLOWED;
    const ids: string[] = [];
    for (const n of ['a', 'b', 'c']) {
      const { jobId } = await queue.enqueue(subject(`docker.io/library/${n}:1`));
      ids.push(jobId);
      await eventually(async () => (await queue.status(jobId))?.state === 'completed', n);
    }
    expect(await queue.status(ids[0] ?? '')).toBeUndefined();
    expect(await queue.status(ids[2] ?? '')).toMatchObject({ state: 'completed' });
    await queue.close();
  });

  it('close lets a running analysis finish, drops waiting ones and refuses new jobs', async () => {
    const { runner, queue } = setup({ concurrency: 1, closeGraceMs: 5000 });
    const a = await queue.enqueue(A);
    const b = await queue.enqueue(B);
    const running = await runner.nthCall(1);
    const closed = queue.close();
    await expect(queue.enqueue(A)).rejects.toThrow('closed');
    expect(await queue.status(b.jobId)).toMatchObject({
      state: 'failed',
      outcome: 'not run: the analysis queue closed',
    });
    running.settle(ALLOWED);
    await closed;
    expect(running.options.signal.aborted).toBe(false);
    expect(await queue.status(a.jobId)).toMatchObject({ state: 'completed' });
    expect(runner.calls).toHaveLength(1);
  });

  it('close aborts what is still running after the grace', async () => {
    const { runner, queue } = setup({ closeGraceMs: 20 });
    const a = await queue.enqueue(A);
    const running = await runner.nthCall(1);
    running.options.signal.addEventListener('abort', () =>
      running.settle(new TransientAnalysisError('analysis aborted', true)),
    );
    await queue.close();
    expect(running.options.signal.aborted).toBe(true);
    expect(await queue.status(a.jobId)).toMatchObject({ state: 'failed', outcome: 'analysis aborted' });
  });
});
