import { createHash } from 'node:crypto';
import type { ImageRef } from '@scangate/image-ref';
import { tryParseImageRef } from '@scangate/image-ref';
import type { AnalysisSubject, VerdictStore } from '@scangate/verdicts';
import type { AnalysisDone, AnalysisRunOptions, AnalysisRunResult } from './analysis-run.types';
import { TransientAnalysisError } from './analysis-run.types';
import type { Analyzer, AnalyzerResult, ResolvedImage } from './analyzer.port';
import type { RegistryResolver } from './registry-resolver.port';
import { RegistryError } from './registry-resolver.port';

export interface AnalysisServiceOptions {
  /** A scanner still pending this long after the request is a failure (not a verdict). Default 30 min. */
  readonly maxPendingMs?: number;
  readonly now?: () => number;
}

const DEFAULT_MAX_PENDING_MS = 30 * 60_000;
/** Re-schedules are bounded so an analyzer's odd `retryAfterMs` cannot park a job for hours. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;
const MAX_REASON_LENGTH = 300;

/**
 * One analysis of one subject (PRODUCT.md §3.6–3.8), run by the BullMQ processor and by the
 * in-process queue alike: resolve the reference to its digest, remember the tag → digest memo,
 * ask the analyzer, store the verdict and wake the waiters. Only the analyzer's decision and a
 * permanent registry answer (the image does not exist as named) become verdicts; every other
 * failure is retried (TransientAnalysisError) or recorded as the subject's failure.
 */
export class AnalysisService {
  private readonly maxPendingMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: VerdictStore,
    private readonly resolver: RegistryResolver,
    private readonly analyzer: Analyzer,
    options: AnalysisServiceOptions = {},
  ) {
    this.maxPendingMs = options.maxPendingMs ?? DEFAULT_MAX_PENDING_MS;
    this.now = options.now ?? Date.now;
  }

  async run(subject: AnalysisSubject, options: AnalysisRunOptions): Promise<AnalysisRunResult> {
    try {
      return await this.attempt(subject, options);
    } catch (error) {
      if (error instanceof TransientAnalysisError) throw error;
      // The store (or an adapter) threw something unexpected: retry rather than guess.
      throw new TransientAnalysisError(`unexpected error: ${messageOf(error)}`, options.signal.aborted);
    }
  }

  private async attempt(subject: AnalysisSubject, options: AnalysisRunOptions): Promise<AnalysisRunResult> {
    const parsed = tryParseImageRef(subject.reference);
    if (!parsed.ok) return this.fail(subject, options, `invalid reference: ${parsed.error.message}`);
    if (subject.analyzer !== this.analyzer.name || subject.fingerprint !== this.analyzer.fingerprint) {
      // A worker of another analyzer or policy version (rolling update): its verdict would be
      // keyed wrongly, and retrying here cannot help.
      return this.fail(
        subject,
        options,
        `analyzer mismatch: job is for ${subject.analyzer}/${subject.fingerprint}, this worker runs ${this.analyzer.name}/${this.analyzer.fingerprint}`,
      );
    }
    const ref = parsed.ref;

    const resolved = await this.resolve(ref, subject, options);
    if (resolved.kind === 'done') return resolved;
    const image = resolved.image;
    if (ref.digest === undefined) {
      guard(options.signal);
      await this.store.putTagDigest(ref.canonical, image.digest);
    }

    if (!options.force) {
      const existing = await this.store.getVerdict(this.keyOf(image.digest));
      if (existing) {
        guard(options.signal);
        await this.store.publishOutcome(subject, { kind: 'verdict', digest: image.digest });
        return done('verdict', `${existing.allowed ? 'allowed' : 'denied'} ${image.digest} (verdict already cached)`);
      }
    }

    const result = await this.analyze(image, options);
    switch (result.kind) {
      case 'verdict':
        return this.decide(subject, ref, image.digest, options, {
          allowed: result.allowed,
          ...(result.reason !== undefined ? { reason: result.reason } : {}),
          ...(result.platformDigests !== undefined ? { platformDigests: result.platformDigests } : {}),
        });
      case 'pending':
        return this.pending(subject, options, result);
      case 'failure':
        if (result.transient && !options.finalAttempt) throw new TransientAnalysisError(`analyzer: ${result.reason}`);
        return this.fail(subject, options, `analyzer: ${result.reason}`);
    }
  }

  /** The digest to analyse, or the end of the job when the registry answered for good. */
  private async resolve(
    ref: ImageRef,
    subject: AnalysisSubject,
    options: AnalysisRunOptions,
  ): Promise<{ kind: 'resolved'; image: ResolvedImage } | AnalysisDone> {
    try {
      return { kind: 'resolved', image: await this.resolver.resolve(ref, options.signal) };
    } catch (error) {
      guard(options.signal);
      if (!(error instanceof RegistryError) || error.transient) {
        const reason = `registry: ${messageOf(error)}`;
        if (!options.finalAttempt) throw new TransientAnalysisError(reason);
        return this.fail(subject, options, reason);
      }
      // The image does not exist as named (or is not what its digest says): a deny verdict, kept
      // denyTTL like any other, so a typo is answered at once rather than re-resolved per admission.
      const digest = ref.digest ?? unresolvedTagDigest(ref.canonical);
      if (ref.digest === undefined) await this.store.putTagDigest(ref.canonical, digest);
      return this.decide(subject, ref, digest, options, {
        allowed: false,
        reason: `registry: ${error.message} (${error.code})`,
      });
    }
  }

  private async analyze(image: ResolvedImage, options: AnalysisRunOptions): Promise<AnalyzerResult> {
    try {
      const result = await this.analyzer.analyze(image, options.signal);
      guard(options.signal);
      return result;
    } catch (error) {
      guard(options.signal);
      // Adapters report failures as results; a throw is unexpected and retried unless it says
      // it is permanent (an AnalyzerError with `transient: false`).
      const transient = !(isObject(error) && error['transient'] === false);
      return { kind: 'failure', transient, reason: messageOf(error) };
    }
  }

  private async decide(
    subject: AnalysisSubject,
    ref: ImageRef,
    digest: string,
    options: AnalysisRunOptions,
    decision: { allowed: boolean; reason?: string; platformDigests?: readonly string[] },
  ): Promise<AnalysisDone> {
    guard(options.signal);
    await this.store.putVerdict({
      ...this.keyOf(digest),
      allowed: decision.allowed,
      ...(decision.reason !== undefined && !decision.allowed ? { reason: decision.reason } : {}),
      repositories: [ref.name],
      ...(decision.platformDigests !== undefined ? { platformDigests: decision.platformDigests } : {}),
      analyzedAt: this.now(),
    });
    await this.store.publishOutcome(subject, { kind: 'verdict', digest });
    return done(
      'verdict',
      decision.allowed ? `allowed ${digest}` : `denied ${digest}: ${decision.reason ?? 'no reason given'}`,
    );
  }

  private pending(
    subject: AnalysisSubject,
    options: AnalysisRunOptions,
    result: Extract<AnalyzerResult, { kind: 'pending' }>,
  ): Promise<AnalysisRunResult> | AnalysisRunResult {
    const waited = options.requestedAt === undefined ? 0 : this.now() - options.requestedAt;
    if (waited > this.maxPendingMs) {
      return this.fail(subject, options, `analyzer still pending after ${Math.round(waited / 1000)} s`);
    }
    const delayMs = Math.min(Math.max(0, Math.round(result.retryAfterMs)), MAX_RETRY_AFTER_MS);
    const why = result.reason !== undefined ? `: ${result.reason}` : '';
    return { kind: 'retry-after', delayMs, outcome: shorten(`pending${why} (again in ${delayMs} ms)`) };
  }

  /** Not a verdict: remembered for `cache.errorBackoffMs` (answered by onError) and announced to waiters. */
  private async fail(subject: AnalysisSubject, options: AnalysisRunOptions, reason: string): Promise<AnalysisDone> {
    guard(options.signal);
    const short = shorten(reason);
    await this.store.putFailure(subject, short);
    await this.store.publishOutcome(subject, { kind: 'failed', reason: short });
    return done('failed', `failed: ${short}`);
  }

  private keyOf(digest: string): { digest: string; analyzer: string; fingerprint: string } {
    return { digest, analyzer: this.analyzer.name, fingerprint: this.analyzer.fingerprint };
  }
}

/**
 * The verdict key for a tag the registry says does not exist: there is no manifest digest, so the
 * deny verdict is kept under a digest-shaped key derived from the reference (and reached through
 * the tag memo like any other). It cannot collide with a real manifest's digest.
 */
export function unresolvedTagDigest(reference: string): string {
  return `sha256:${createHash('sha256').update(`scangate unresolved tag\n${reference}`).digest('hex')}`;
}

function done(status: 'verdict' | 'failed', outcome: string): AnalysisDone {
  return { kind: 'done', status, outcome: shorten(outcome) };
}

function guard(signal: AbortSignal): void {
  if (signal.aborted) throw new TransientAnalysisError('analysis aborted', true);
}

function shorten(text: string): string {
  return text.length <= MAX_REASON_LENGTH ? text : `${text.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
