import { parseImageRef } from '@scangate/image-ref';
import type { AnalysisSubject, SubjectOutcome, Verdict, VerdictKey, VerdictStore } from '@scangate/verdicts';
import { MemoryVerdictStore } from '@scangate/verdicts';
import { TransientAnalysisError } from './analysis-run.types';
import type { AnalysisRunOptions } from './analysis-run.types';
import { AnalysisService, unresolvedTagDigest } from './analysis.service';
import type { Analyzer, AnalyzerResult, ResolvedImage } from './analyzer.port';
import type { RegistryResolver } from './registry-resolver.port';
import { RegistryError } from './registry-resolver.port';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const NOW = 1_700_000_000_000;

/** The VerdictStore port as far as the service uses it, recording every write. */
class RecordingStore implements Pick<
  VerdictStore,
  'getVerdict' | 'putVerdict' | 'putTagDigest' | 'putFailure' | 'publishOutcome'
> {
  readonly verdicts = new Map<string, Verdict>();
  readonly tags = new Map<string, string>();
  readonly failures = new Map<string, string>();
  readonly published: { subject: AnalysisSubject; outcome: SubjectOutcome }[] = [];
  failWith?: Error;

  async getVerdict(key: VerdictKey): Promise<Verdict | undefined> {
    this.check();
    return this.verdicts.get(`${key.digest} ${key.analyzer} ${key.fingerprint}`);
  }
  async putVerdict(verdict: Omit<Verdict, 'expiresAt'>): Promise<Verdict> {
    this.check();
    const stored = { ...verdict, expiresAt: verdict.analyzedAt + (verdict.allowed ? 300_000 : 30_000) };
    this.verdicts.set(`${verdict.digest} ${verdict.analyzer} ${verdict.fingerprint}`, stored);
    return stored;
  }
  async putTagDigest(reference: string, digest: string): Promise<void> {
    this.check();
    this.tags.set(reference, digest);
  }
  async putFailure(subject: AnalysisSubject, reason: string): Promise<void> {
    this.check();
    this.failures.set(subject.reference, reason);
  }
  async publishOutcome(subject: AnalysisSubject, outcome: SubjectOutcome): Promise<void> {
    this.check();
    this.published.push({ subject, outcome });
  }
  private check(): void {
    if (this.failWith) throw this.failWith;
  }
}

class ScriptedAnalyzer implements Analyzer {
  readonly name = 'test';
  readonly fingerprint = 'fp1';
  readonly seen: ResolvedImage[] = [];
  constructor(public answer: (image: ResolvedImage, signal: AbortSignal) => Promise<AnalyzerResult>) {}
  analyze(image: ResolvedImage, signal: AbortSignal): Promise<AnalyzerResult> {
    this.seen.push(image);
    return this.answer(image, signal);
  }
}

class MapResolver implements RegistryResolver {
  error?: RegistryError | Error;
  async resolve(ref: ReturnType<typeof parseImageRef>): Promise<ResolvedImage> {
    if (this.error) throw this.error;
    return { ref, digest: ref.digest ?? DIGEST_A };
  }
}

function setup(answer: AnalyzerResult | ((image: ResolvedImage, signal: AbortSignal) => Promise<AnalyzerResult>)) {
  const store = new RecordingStore();
  const resolver = new MapResolver();
  const analyzer = new ScriptedAnalyzer(typeof answer === 'function' ? answer : async () => answer);
  let now = NOW;
  const service = new AnalysisService(store as unknown as VerdictStore, resolver, analyzer, {
    maxPendingMs: 60_000,
    now: () => now,
  });
  return { store, resolver, analyzer, service, advance: (ms: number) => (now += ms) };
}

const subject = (reference: string, over: Partial<AnalysisSubject> = {}): AnalysisSubject => ({
  reference,
  analyzer: 'test',
  fingerprint: 'fp1',
  ...over,
});
const TAG = subject('docker.io/library/nginx:1.27');
const PINNED = subject(`docker.io/library/nginx@${DIGEST_B}`);

function opts(over: Partial<AnalysisRunOptions> = {}): AnalysisRunOptions {
  return { signal: new AbortController().signal, attempt: 1, finalAttempt: false, requestedAt: NOW, ...over };
}

describe('AnalysisService', () => {
  describe('verdicts', () => {
    it('resolves a tag, memoises tag → digest, stores the allow verdict and wakes waiters', async () => {
      const { store, service, analyzer } = setup({ kind: 'verdict', allowed: true, platformDigests: [DIGEST_B] });
      const result = await service.run(TAG, opts());
      expect(result).toEqual({ kind: 'done', status: 'verdict', outcome: `allowed ${DIGEST_A}` });
      expect(analyzer.seen.map((i) => i.digest)).toEqual([DIGEST_A]);
      expect(store.tags.get('docker.io/library/nginx:1.27')).toBe(DIGEST_A);
      expect(store.verdicts.get(`${DIGEST_A} test fp1`)).toEqual({
        digest: DIGEST_A,
        analyzer: 'test',
        fingerprint: 'fp1',
        allowed: true,
        repositories: ['docker.io/library/nginx'],
        platformDigests: [DIGEST_B],
        analyzedAt: NOW,
        expiresAt: NOW + 300_000,
      });
      expect(store.published).toEqual([{ subject: TAG, outcome: { kind: 'verdict', digest: DIGEST_A } }]);
      expect(store.failures.size).toBe(0);
    });

    it('keys a digest reference by its digest and writes no tag memo', async () => {
      const { store, service } = setup({ kind: 'verdict', allowed: true });
      await service.run(PINNED, opts());
      expect(store.tags.size).toBe(0);
      expect([...store.verdicts.keys()]).toEqual([`${DIGEST_B} test fp1`]);
    });

    it('stores a deny verdict with the analyzer reason', async () => {
      const { store, service } = setup({ kind: 'verdict', allowed: false, reason: 'CVE-2024-1 (High) in openssl' });
      const result = await service.run(TAG, opts());
      expect(result).toMatchObject({ status: 'verdict', outcome: `denied ${DIGEST_A}: CVE-2024-1 (High) in openssl` });
      expect(store.verdicts.get(`${DIGEST_A} test fp1`)).toMatchObject({
        allowed: false,
        reason: 'CVE-2024-1 (High) in openssl',
      });
    });

    it('reuses a cached verdict for the resolved digest unless forced', async () => {
      const { store, service, analyzer } = setup({ kind: 'verdict', allowed: true });
      await service.run(TAG, opts());
      const again = await service.run(subject('docker.io/library/nginx:stable'), opts());
      expect(again).toMatchObject({
        kind: 'done',
        status: 'verdict',
        outcome: expect.stringContaining('already cached'),
      });
      expect(analyzer.seen).toHaveLength(1);
      expect(store.tags.get('docker.io/library/nginx:stable')).toBe(DIGEST_A);

      await service.run(TAG, opts({ force: true }));
      expect(analyzer.seen).toHaveLength(2);
    });
  });

  describe('permanent registry errors are deny verdicts', () => {
    it('denies a tag the registry does not know, under a key reached through the tag memo', async () => {
      const { store, resolver, service, analyzer } = setup({ kind: 'verdict', allowed: true });
      resolver.error = new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown: nginx:nope', false);
      const result = await service.run(subject('docker.io/library/nginx:nope'), opts());
      const key = unresolvedTagDigest('docker.io/library/nginx:nope');
      expect(result).toMatchObject({ kind: 'done', status: 'verdict' });
      expect(store.tags.get('docker.io/library/nginx:nope')).toBe(key);
      expect(store.verdicts.get(`${key} test fp1`)).toMatchObject({
        allowed: false,
        reason: 'registry: manifest unknown: nginx:nope (MANIFEST_UNKNOWN)',
        repositories: ['docker.io/library/nginx'],
      });
      expect(store.published[0]?.outcome).toEqual({ kind: 'verdict', digest: key });
      expect(analyzer.seen).toHaveLength(0);
    });

    it('denies a digest reference whose manifest does not match, under that digest', async () => {
      const { store, resolver, service } = setup({ kind: 'verdict', allowed: true });
      resolver.error = new RegistryError('DIGEST_MISMATCH', 'manifest does not match its digest', false);
      await service.run(PINNED, opts());
      expect(store.verdicts.get(`${DIGEST_B} test fp1`)).toMatchObject({ allowed: false });
      expect(store.tags.size).toBe(0);
    });

    it('keeps the unresolved-tag key apart from real digests and other tags', () => {
      const key = unresolvedTagDigest('docker.io/library/nginx:1');
      expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(unresolvedTagDigest('docker.io/library/nginx:2')).not.toBe(key);
    });
  });

  describe('failures are never verdicts', () => {
    it('throws a transient registry failure for a retry, writing nothing', async () => {
      const { store, resolver, service } = setup({ kind: 'verdict', allowed: true });
      resolver.error = new RegistryError('TIMEOUT', 'registry timed out', true);
      await expect(service.run(TAG, opts())).rejects.toThrow(
        new TransientAnalysisError('registry: registry timed out'),
      );
      expect(store.verdicts.size + store.failures.size + store.published.length + store.tags.size).toBe(0);
    });

    it('records a transient registry failure on the final attempt', async () => {
      const { store, resolver, service } = setup({ kind: 'verdict', allowed: true });
      resolver.error = new Error('socket hang up');
      const result = await service.run(TAG, opts({ attempt: 5, finalAttempt: true }));
      expect(result).toEqual({ kind: 'done', status: 'failed', outcome: 'failed: registry: socket hang up' });
      expect(store.failures.get(TAG.reference)).toBe('registry: socket hang up');
      expect(store.published).toEqual([
        { subject: TAG, outcome: { kind: 'failed', reason: 'registry: socket hang up' } },
      ]);
      expect(store.verdicts.size).toBe(0);
    });

    it('retries a transient analyzer failure, then records it', async () => {
      const { store, service } = setup({ kind: 'failure', transient: true, reason: 'clair: 503' });
      await expect(service.run(TAG, opts())).rejects.toBeInstanceOf(TransientAnalysisError);
      expect(store.failures.size).toBe(0);
      const last = await service.run(TAG, opts({ attempt: 3, finalAttempt: true }));
      expect(last).toMatchObject({ status: 'failed', outcome: 'failed: analyzer: clair: 503' });
      expect(store.failures.get(TAG.reference)).toBe('analyzer: clair: 503');
      expect(store.verdicts.size).toBe(0);
    });

    it('records a permanent analyzer failure at once', async () => {
      const { store, service } = setup({ kind: 'failure', transient: false, reason: 'unsupported image format' });
      const result = await service.run(TAG, opts());
      expect(result).toMatchObject({ kind: 'done', status: 'failed' });
      expect(store.published.map((p) => p.outcome)).toEqual([
        { kind: 'failed', reason: 'analyzer: unsupported image format' },
      ]);
      expect(store.verdicts.size).toBe(0);
    });

    it('treats an analyzer throw as transient unless it says it is permanent', async () => {
      const { service, store } = setup(async () => {
        throw new Error('ECONNRESET');
      });
      await expect(service.run(TAG, opts())).rejects.toThrow('analyzer: ECONNRESET');

      const permanent = setup(async () => {
        throw Object.assign(new Error('bad policy bundle'), { transient: false });
      });
      await expect(permanent.service.run(TAG, opts())).resolves.toMatchObject({ status: 'failed' });
      expect(permanent.store.failures.get(TAG.reference)).toBe('analyzer: bad policy bundle');
      expect(store.failures.size).toBe(0);
    });

    it('refuses a job for another analyzer or policy fingerprint without calling the analyzer', async () => {
      const { store, service, analyzer } = setup({ kind: 'verdict', allowed: true });
      const result = await service.run(subject('nginx:1', { fingerprint: 'fp0' }), opts());
      expect(result).toMatchObject({ status: 'failed', outcome: expect.stringContaining('analyzer mismatch') });
      expect(analyzer.seen).toHaveLength(0);
      expect(store.verdicts.size).toBe(0);
    });

    it('records a malformed reference as a failure', async () => {
      const { store, service } = setup({ kind: 'verdict', allowed: true });
      const result = await service.run(subject('Nginx:1'), opts());
      expect(result).toMatchObject({ status: 'failed', outcome: expect.stringContaining('invalid reference') });
      expect(store.verdicts.size).toBe(0);
    });

    it('turns a store failure into a transient error', async () => {
      const { store, service } = setup({ kind: 'verdict', allowed: true });
      store.failWith = new Error('Command timed out');
      await expect(service.run(TAG, opts())).rejects.toThrow(
        new TransientAnalysisError('unexpected error: Command timed out'),
      );
    });
  });

  describe('pending and abort', () => {
    it('asks to be re-scheduled while the scanner is pending, writing nothing', async () => {
      const { store, service } = setup({ kind: 'pending', retryAfterMs: 2000, reason: 'analysing' });
      const result = await service.run(TAG, opts());
      expect(result).toEqual({ kind: 'retry-after', delayMs: 2000, outcome: 'pending: analysing (again in 2000 ms)' });
      expect(store.verdicts.size + store.failures.size + store.published.length).toBe(0);
    });

    it('gives up as a failure when pending outlasts maxPendingMs', async () => {
      const { store, service, advance } = setup({ kind: 'pending', retryAfterMs: 2000 });
      advance(61_000);
      const result = await service.run(TAG, opts());
      expect(result).toMatchObject({
        kind: 'done',
        status: 'failed',
        outcome: 'failed: analyzer still pending after 61 s',
      });
      expect(store.failures.size).toBe(1);
    });

    it('writes nothing once aborted mid-analysis', async () => {
      const controller = new AbortController();
      const { store, service } = setup(async (_image, signal) => {
        controller.abort();
        expect(signal.aborted).toBe(true);
        return { kind: 'verdict', allowed: true };
      });
      const error = await service.run(TAG, opts({ signal: controller.signal })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientAnalysisError);
      expect((error as TransientAnalysisError).aborted).toBe(true);
      expect(store.verdicts.size + store.published.length).toBe(0);
    });
  });

  describe('with the in-memory verdict store', () => {
    function withMemoryStore(answer: AnalyzerResult) {
      const store = new MemoryVerdictStore({
        lifetimes: { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500 },
        now: () => NOW,
      });
      const resolver = new MapResolver();
      const service = new AnalysisService(store, resolver, new ScriptedAnalyzer(async () => answer), {
        now: () => NOW,
      });
      return { store, resolver, service };
    }

    it('leaves a verdict the webhook finds through the tag memo, and wakes its waiter', async () => {
      const { store, service } = withMemoryStore({ kind: 'verdict', allowed: false, reason: 'CVE-2024-2' });
      const woken = store.waitForOutcome(TAG, NOW + 60_000);
      await service.run(TAG, opts());
      expect(await woken).toEqual({ kind: 'verdict', digest: DIGEST_A });
      const digest = await store.getTagDigest(TAG.reference);
      expect(await store.getVerdict({ digest: digest ?? '', analyzer: 'test', fingerprint: 'fp1' })).toMatchObject({
        allowed: false,
        reason: 'CVE-2024-2',
        expiresAt: NOW + 30_000,
      });
      expect(await store.listVerdicts({ kind: 'repository', repository: 'docker.io/library/nginx' }, 10)).toHaveLength(
        1,
      );
    });

    it('leaves a failure (not a verdict) and wakes the waiter with it', async () => {
      const { store, service } = withMemoryStore({ kind: 'failure', transient: false, reason: 'unsupported' });
      const woken = store.waitForOutcome(TAG, NOW + 60_000);
      await service.run(TAG, opts());
      expect(await woken).toEqual({ kind: 'failed', reason: 'analyzer: unsupported' });
      expect(await store.getFailure(TAG)).toBe('analyzer: unsupported');
      expect(await store.listVerdicts({ kind: 'all' }, 10)).toEqual([]);
    });
  });
});
