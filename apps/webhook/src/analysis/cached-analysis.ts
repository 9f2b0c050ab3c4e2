import type { ImageRef } from '@scangate/image-ref';
import type { AnalysisContext, AnalysisOutcome, ImageAnalysisPort } from '@scangate/policy';
import type { AnalysisQueue } from '@scangate/queue';
import type { AnalysisSubject, SubjectOutcome, Verdict, VerdictStore } from '@scangate/verdicts';
import type { VerdictCacheMetrics } from '../metrics/verdict-cache.metrics';

export interface AnalyzerIdentity {
  readonly name: string;
  readonly fingerprint: string;
}

/**
 * The admission path's analyzer step (PRODUCT.md §3.6–3.8): answer from the verdict cache; on a
 * miss enqueue one analysis (never on dryRun) and wait for its outcome until the deadline, then
 * `pending`. Store or queue failures are `error` outcomes (→ onError), never verdicts. Concurrent
 * admissions of one image in this process share one lookup.
 */
export class CachedImageAnalysis implements ImageAnalysisPort {
  readonly analyzer: string;
  private readonly inFlight = new Map<string, Promise<AnalysisOutcome>>();

  constructor(
    private readonly identity: AnalyzerIdentity,
    private readonly store: VerdictStore,
    private readonly queue: AnalysisQueue,
    private readonly metrics: VerdictCacheMetrics,
    private readonly now: () => number = Date.now,
  ) {
    this.analyzer = identity.name;
  }

  assess(subjects: readonly ImageRef[], context: AnalysisContext): Promise<readonly AnalysisOutcome[]> {
    return Promise.all(subjects.map((ref) => this.shared(ref, context)));
  }

  private shared(ref: ImageRef, context: AnalysisContext): Promise<AnalysisOutcome> {
    // dryRun lookups are not shared with real ones: only the latter may enqueue.
    const key = `${context.dryRun ? 'dry' : 'real'} ${ref.canonical}`;
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const outcome = this.assessOne(ref, context).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, outcome);
    return outcome;
  }

  private async assessOne(ref: ImageRef, context: AnalysisContext): Promise<AnalysisOutcome> {
    const subject: AnalysisSubject = {
      reference: ref.canonical,
      analyzer: this.identity.name,
      fingerprint: this.identity.fingerprint,
    };
    try {
      const cached = await this.lookup(ref);
      if (cached) {
        this.metrics.lookups.inc({ result: 'hit' });
        return this.fromVerdict(cached);
      }
      this.metrics.lookups.inc({ result: 'miss' });
      const failure = await this.store.getFailure(subject);
      if (failure !== undefined) return { kind: 'error', reason: `analysis failed recently: ${failure}` };
      if (context.dryRun) return { kind: 'pending', reason: 'not analysed yet (dry run: nothing enqueued)' };
      return await this.analyseAndWait(ref, subject, context.deadline);
    } catch (error) {
      return {
        kind: 'error',
        reason: `verdict cache unavailable (${error instanceof Error ? error.message : String(error)})`,
      };
    }
  }

  /** Digest references are looked up directly; tags through the short-lived tag memo. */
  private async lookup(ref: ImageRef): Promise<Verdict | undefined> {
    const digest = ref.digest ?? (await this.store.getTagDigest(ref.canonical));
    if (digest === undefined) return undefined;
    return this.store.getVerdict({ digest, analyzer: this.identity.name, fingerprint: this.identity.fingerprint });
  }

  private async analyseAndWait(ref: ImageRef, subject: AnalysisSubject, deadline: number): Promise<AnalysisOutcome> {
    this.metrics.pendingImages.inc();
    try {
      // Listen before enqueueing, then look once more: an outcome published in between is not lost.
      const outcome = this.store.waitForOutcome(subject, deadline);
      // BullMQ's connection queues commands while Redis is away: bound the enqueue by the budget.
      await beforeDeadline(this.queue.enqueue(subject), deadline, this.now, 'enqueueing the analysis timed out');
      const landed = await this.lookup(ref);
      if (landed) return this.fromVerdict(landed);
      return await this.settle(ref, await outcome);
    } finally {
      this.metrics.pendingImages.dec();
    }
  }

  private async settle(ref: ImageRef, outcome: SubjectOutcome | undefined): Promise<AnalysisOutcome> {
    if (outcome === undefined) return { kind: 'pending' };
    if (outcome.kind === 'failed') return { kind: 'error', reason: outcome.reason };
    // Through the reference, like any hit, so L1 also learns the tag memo the worker wrote.
    const verdict =
      (await this.lookup(ref)) ??
      (await this.store.getVerdict({
        digest: outcome.digest,
        analyzer: this.identity.name,
        fingerprint: this.identity.fingerprint,
      }));
    return verdict ? this.fromVerdict(verdict) : { kind: 'pending' };
  }

  private fromVerdict(verdict: Verdict): AnalysisOutcome {
    return {
      kind: 'verdict',
      allowed: verdict.allowed,
      digest: verdict.digest,
      ageSeconds: Math.max(0, Math.round((this.now() - verdict.analyzedAt) / 1000)),
      ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
    };
  }
}

/** Rejects with `message` if `promise` has not settled by `deadline` (epoch ms). */
function beforeDeadline<T>(promise: Promise<T>, deadline: number, now: () => number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, deadline - now()));
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
