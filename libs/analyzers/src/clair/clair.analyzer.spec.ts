import type { PlatformImage, ResolvedImage } from '@scangate/analysis';
import type { ClairConfig } from '@scangate/config';
import { parseImageRef } from '@scangate/image-ref';
import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { ScannerGuard } from '../resilience/scanner-guard';
import { ClairAnalyzer } from './clair.analyzer';

// The adapter's state handling against scripted Clair answers (the real-Clair behaviour is in
// test/clair-analyzer.spec.ts; index_state changes and intermediate states cannot be provoked there).

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const INDEX = D('0');
const PLATFORM = D('1');

const amd64: PlatformImage = {
  digest: PLATFORM,
  platform: 'linux/amd64',
  layers: [
    {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: D('a'),
      size: 1,
      url: 'http://127.0.0.1:5000/v2/app/blobs/x',
      headers: {},
    },
  ],
};
const image: ResolvedImage = { ref: parseImageRef('127.0.0.1:5000/app:1'), digest: INDEX, platforms: [amd64] };

const config: ClairConfig = {
  url: 'http://clair.test:6060/',
  psk: Buffer.from('k').toString('base64'),
  issuer: 'scangate',
  maxSeverity: 'High',
  maxUnfixedSeverity: 'Critical',
  ignore: [],
  platform: 'linux/amd64',
  indexTimeoutMs: 60_000,
  notifier: { header: 'X', pageSize: 10 },
};

type Answer = { status: number; data?: unknown; headers?: Record<string, string> };

/** An analyzer whose HTTP calls are answered by `answer(method path)`; calls are recorded. */
function analyzerAnswering(answer: (call: string) => Answer, breaker = { failureThreshold: 5, openMs: 10_000 }) {
  const calls: string[] = [];
  const http = axios.create({
    adapter: (request: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      const call = `${request.method?.toUpperCase()} ${new URL(request.url ?? '').pathname}`;
      calls.push(call);
      const { status, data = '', headers = {} } = answer(call);
      return Promise.resolve({ status, statusText: '', data, headers, config: request });
    },
  });
  const guard = new ScannerGuard({ analyzer: 'clair', timeoutMs: 1000, retries: 0, breaker });
  return { analyzer: new ClairAnalyzer(config, { http, guard, pollIntervalMs: 250 }), calls, guard };
}

const finished = { manifest_hash: PLATFORM, state: 'IndexFinished', success: true };
const clean = { manifest_hash: PLATFORM, packages: {}, vulnerabilities: {}, package_vulnerabilities: {} };

function clair(overrides: Readonly<Record<string, Answer>>): (call: string) => Answer {
  const routes: Record<string, Answer> = {
    'GET /indexer/api/v1/index_state': { status: 200, data: { state: 'S2' } },
    [`GET /indexer/api/v1/index_report/${PLATFORM}`]: { status: 200, data: finished, headers: { etag: '"S2"' } },
    'POST /indexer/api/v1/index_report': { status: 201, data: finished },
    [`GET /matcher/api/v1/vulnerability_report/${PLATFORM}`]: { status: 200, data: clean },
    ...overrides,
  };
  return (call) => routes[call] ?? { status: 599 };
}

const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('ClairAnalyzer', () => {
  it('uses a finished report made under the current index state, without indexing again', async () => {
    const { analyzer, calls } = analyzerAnswering(clair({}));
    expect(await analyzer.analyze(image, signal())).toEqual({
      kind: 'verdict',
      allowed: true,
      platformDigests: [PLATFORM],
    });
    expect(calls).not.toContain('POST /indexer/api/v1/index_report');
  });

  it.each([
    ['never indexed (404)', { status: 404, data: { code: 'not-found', message: 'x' } }],
    ['indexed under another index state (Etag)', { status: 200, data: finished, headers: { etag: '"S1"' } }],
    [
      'the last indexing failed (IndexError)',
      { status: 200, data: { ...finished, state: 'IndexError', success: false }, headers: { etag: '"S2"' } },
    ],
  ])('indexes when the stored report is %s', async (_what, stored) => {
    const { analyzer, calls } = analyzerAnswering(clair({ [`GET /indexer/api/v1/index_report/${PLATFORM}`]: stored }));
    expect(await analyzer.analyze(image, signal())).toMatchObject({ kind: 'verdict', allowed: true });
    expect(calls).toContain('POST /indexer/api/v1/index_report');
  });

  it.each([
    [
      'an intermediate state is stored',
      {
        [`GET /indexer/api/v1/index_report/${PLATFORM}`]: { status: 200, data: { ...finished, state: 'FetchLayers' } },
      },
    ],
    [
      'the matcher database is loading (202)',
      { [`GET /matcher/api/v1/vulnerability_report/${PLATFORM}`]: { status: 202 } },
    ],
    [
      'the matcher does not see it indexed (404)',
      { [`GET /matcher/api/v1/vulnerability_report/${PLATFORM}`]: { status: 404 } },
    ],
    [
      'the indexer is at its concurrency limit (429)',
      {
        [`GET /indexer/api/v1/index_report/${PLATFORM}`]: { status: 404 },
        'POST /indexer/api/v1/index_report': { status: 429 },
      },
    ],
  ])('is pending (poll interval) when %s', async (_what, overrides) => {
    const { analyzer } = analyzerAnswering(clair(overrides));
    expect(await analyzer.analyze(image, signal())).toMatchObject({ kind: 'pending', retryAfterMs: 250 });
  });

  it('accepts the spec’s 201 for a vulnerability report', async () => {
    const { analyzer } = analyzerAnswering(
      clair({ [`GET /matcher/api/v1/vulnerability_report/${PLATFORM}`]: { status: 201, data: clean } }),
    );
    expect(await analyzer.analyze(image, signal())).toMatchObject({ kind: 'verdict', allowed: true });
  });

  it('turns an indexing failure into a transient failure, never a verdict', async () => {
    const { analyzer } = analyzerAnswering(
      clair({
        [`GET /indexer/api/v1/index_report/${PLATFORM}`]: { status: 404 },
        'POST /indexer/api/v1/index_report': {
          status: 500,
          data: { code: 'internal-error', message: 'fetching layer: 401' },
        },
      }),
    );
    expect(await analyzer.analyze(image, signal())).toEqual({
      kind: 'failure',
      transient: true,
      reason: 'Clair could not index the image: internal-error: fetching layer: 401',
    });
  });

  it('is a permanent failure on 401 and a transient one on 503; an open circuit is pending', async () => {
    const unauthorised = analyzerAnswering(clair({ 'GET /indexer/api/v1/index_state': { status: 401 } }));
    expect(await unauthorised.analyzer.analyze(image, signal())).toMatchObject({ kind: 'failure', transient: false });

    const down = analyzerAnswering(clair({ 'GET /indexer/api/v1/index_state': { status: 503 } }), {
      failureThreshold: 1,
      openMs: 10_000,
    });
    expect(await down.analyzer.analyze(image, signal())).toMatchObject({ kind: 'failure', transient: true });
    expect(down.guard.state).toBe('open');
    expect(await down.analyzer.analyze(image, signal())).toMatchObject({
      kind: 'pending',
      retryAfterMs: expect.any(Number),
    });
  });

  it('refuses an image without the configured platform, without calling Clair', async () => {
    const { analyzer, calls } = analyzerAnswering(clair({}));
    const arm = { ...image, platforms: [{ ...amd64, platform: 'linux/arm64' }] };
    expect(await analyzer.analyze(arm, signal())).toMatchObject({ kind: 'failure', transient: false });
    expect(calls).toEqual([]);
  });
});
