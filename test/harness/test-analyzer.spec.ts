import { RegistryError } from '@scangate/analysis';
import { parseImageRef } from '@scangate/image-ref';
import { TEST_FINDING, TestAnalyzer, TestResolver, testTagDigest } from './test-analyzer';

// The test analyzer is a fixture other specs rely on: its behaviour per image name, pinned here.

const resolver = new TestResolver();
const image = async (reference: string) => resolver.resolve(parseImageRef(reference));
const signal = () => new AbortController().signal;

describe('TestResolver', () => {
  it('resolves digests to themselves and tags to a stable digest of the canonical reference', async () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    expect((await image(`app@${digest}`)).digest).toBe(digest);
    expect((await image('app:1')).digest).toBe(testTagDigest('docker.io/library/app:1'));
    expect((await image('app:1')).digest).not.toBe((await image('app:2')).digest);
  });

  it('answers a permanent MANIFEST_UNKNOWN for `missing` images', async () => {
    await expect(image('team/missing-app:1')).rejects.toEqual(
      new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown: team/missing-app:1', false),
    );
  });
});

describe('TestAnalyzer', () => {
  it('is `test` / `test-v1` unless told otherwise', () => {
    expect(new TestAnalyzer()).toMatchObject({ name: 'test', fingerprint: 'test-v1' });
    expect(new TestAnalyzer({ fingerprint: 'test-v2' }).fingerprint).toBe('test-v2');
  });

  it('allows by default, denies `deny` images with a finding, fails `broken` ones for good', async () => {
    const analyzer = new TestAnalyzer();
    const plain = await image('app:1');
    expect(await analyzer.analyze(plain, signal())).toEqual({
      kind: 'verdict',
      allowed: true,
      platformDigests: [plain.digest],
    });
    expect(await analyzer.analyze(await image('deny-app:1'), signal())).toEqual({
      kind: 'verdict',
      allowed: false,
      reason: TEST_FINDING,
    });
    expect(await analyzer.analyze(await image('broken-app:1'), signal())).toEqual({
      kind: 'failure',
      transient: false,
      reason: 'test analyzer: broken image',
    });
  });

  it('fails `flaky` images transiently N times (2, or fail-N in the tag), then allows', async () => {
    const analyzer = new TestAnalyzer();
    const flaky = await image('flaky-app:1');
    const kinds = [];
    for (let i = 0; i < 3; i += 1) kinds.push((await analyzer.analyze(flaky, signal())).kind);
    expect(kinds).toEqual(['failure', 'failure', 'verdict']);
    const once = await image('flaky-app:fail-1');
    expect((await analyzer.analyze(once, signal())).kind).toBe('failure');
    expect((await analyzer.analyze(once, signal())).kind).toBe('verdict');
    expect(analyzer.calls(flaky.digest)).toBe(3);
    expect(analyzer.calls()).toBe(5);
  });

  it('answers `pending` twice (retry after 50 ms), then allows', async () => {
    const analyzer = new TestAnalyzer();
    const pending = await image('pending-app:1');
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await analyzer.analyze(pending, signal()));
    expect(answers.map((a) => a.kind)).toEqual(['pending', 'pending', 'verdict']);
    expect(answers[0]).toMatchObject({ retryAfterMs: 50 });
  });

  it('makes `slow` images wait for the tag’s delay, or stop when aborted', async () => {
    const analyzer = new TestAnalyzer();
    const started = Date.now();
    expect((await analyzer.analyze(await image('slow-app:slow-30'), signal())).kind).toBe('verdict');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);

    const controller = new AbortController();
    const running = analyzer.analyze(await image('slow-app:slow-600000'), controller.signal);
    controller.abort();
    await expect(running).rejects.toThrow('test analyzer: aborted');
  });

  it('reports every call', async () => {
    const calls: unknown[] = [];
    const analyzer = new TestAnalyzer({ onCall: (call) => calls.push(call) });
    const app = await image('app:1');
    await analyzer.analyze(app, signal());
    expect(calls).toEqual([
      { digest: app.digest, reference: 'docker.io/library/app:1', call: 1, pid: process.pid, at: expect.any(Number) },
    ]);
  });
});
