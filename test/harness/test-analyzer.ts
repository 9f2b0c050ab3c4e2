import { createHash } from 'node:crypto';
import type { Analyzer, AnalyzerResult, RegistryResolver, ResolvedImage } from '@scangate/analysis';
import { RegistryError } from '@scangate/analysis';
import type { ImageRef } from '@scangate/image-ref';

/** One analyzer call, as counted and logged (one JSON line per call in process tests). */
export interface AnalyzerCall {
  readonly digest: string;
  readonly reference: string;
  /** 1-based count of calls for this digest, in this analyzer instance. */
  readonly call: number;
  readonly pid: number;
  readonly at: number;
}

export interface TestAnalyzerOptions {
  readonly name?: string;
  readonly fingerprint?: string;
  /** `flaky` images fail (transiently) this many times before allowing; a `fail-N` tag overrides. */
  readonly flakyFailures?: number;
  /** `pending` images answer pending this many times before allowing. */
  readonly pendingTimes?: number;
  readonly pendingRetryAfterMs?: number;
  /** `slow` images without `slow-<ms>` in the tag wait this long. */
  readonly slowDefaultMs?: number;
  readonly onCall?: (call: AnalyzerCall) => void;
}

/** The fake finding a `deny` image is denied for. */
export const TEST_FINDING = 'CVE-2099-0001 (Critical) in libscangate-test 1.0.0, fixed in 1.0.1';

/**
 * A deterministic analyzer for integration tests; the image's repository path decides:
 * `deny` → denied with TEST_FINDING; `flaky` → transient failures first, then allowed; `broken`
 * → permanent failure; `pending` → pending (retry after 50 ms) twice, then allowed; `slow` →
 * allowed after the delay in the tag (`:slow-2000`) unless aborted first; anything else allowed.
 * Calls are counted per digest.
 */
export class TestAnalyzer implements Analyzer {
  readonly name: string;
  readonly fingerprint: string;
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: TestAnalyzerOptions = {}) {
    this.name = options.name ?? 'test';
    this.fingerprint = options.fingerprint ?? 'test-v1';
  }

  /** Calls so far for `digest` (every digest when omitted). */
  calls(digest?: string): number {
    if (digest !== undefined) return this.counts.get(digest) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  async analyze(image: ResolvedImage, signal: AbortSignal): Promise<AnalyzerResult> {
    const call = (this.counts.get(image.digest) ?? 0) + 1;
    this.counts.set(image.digest, call);
    this.options.onCall?.({
      digest: image.digest,
      reference: image.ref.canonical,
      call,
      pid: process.pid,
      at: Date.now(),
    });

    const path = image.ref.path;
    const tag = image.ref.tag ?? '';
    if (path.includes('deny')) return { kind: 'verdict', allowed: false, reason: TEST_FINDING };
    if (path.includes('broken')) return { kind: 'failure', transient: false, reason: 'test analyzer: broken image' };
    if (path.includes('flaky')) {
      const failures = numberIn(tag, 'fail') ?? this.options.flakyFailures ?? 2;
      if (call <= failures) return { kind: 'failure', transient: true, reason: `test analyzer: flaky failure ${call}` };
    }
    if (path.includes('pending') && call <= (this.options.pendingTimes ?? 2)) {
      return {
        kind: 'pending',
        retryAfterMs: this.options.pendingRetryAfterMs ?? 50,
        reason: 'test analyzer: scanning',
      };
    }
    if (path.includes('slow')) await delay(numberIn(tag, 'slow') ?? this.options.slowDefaultMs ?? 1000, signal);
    return { kind: 'verdict', allowed: true, platformDigests: [image.digest] };
  }
}

/**
 * A registry stand-in: digest references resolve to their digest; tags to `sha256:` + the sha256
 * of the canonical reference (deterministic, distinct per tag); `missing` in the repository path →
 * a permanent MANIFEST_UNKNOWN.
 */
export class TestResolver implements RegistryResolver {
  resolved = 0;

  async resolve(ref: ImageRef): Promise<ResolvedImage> {
    this.resolved += 1;
    if (ref.path.includes('missing')) {
      throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: ${ref.familiar}`, false);
    }
    return { ref, digest: ref.digest ?? testTagDigest(ref.canonical) };
  }
}

/** The digest TestResolver gives a tag reference. */
export function testTagDigest(canonical: string): string {
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** `slow-2000` → 2000 for the word `slow`. */
function numberIn(tag: string, word: string): number | undefined {
  const match = new RegExp(`(?:^|[-_.])${word}-(\\d{1,7})(?:$|[-_.])`).exec(tag);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('test analyzer: aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('test analyzer: aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
