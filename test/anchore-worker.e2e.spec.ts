import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnchoreSimulator, DEFAULT_USER } from './harness/anchore-simulator';
import { REPO_ROOT } from './harness/cli';
import {
  buildImage,
  pushImage,
  requireRegistryBinaries,
  skopeoDigest,
  startRegistry,
  type TestRegistry,
} from './harness/docker-registry';
import type { TestRedis } from './harness/redis-server';
import { startRedis } from './harness/redis-server';
import { type AdmissionAnswer, eventually } from './harness/scangate-stack';
import { fixtureReview, kubeObject, withoutEphemeralContainers } from './fixtures/kube';
import type { TestWebhook } from './harness/webhook-harness';
import { loadServingConfig, startTestWebhook } from './harness/webhook-harness';

// Issue 6 end to end with Anchore: the real HTTPS webhook and a real `scangate worker` process
// (the built CLI) over a real redis-server, the loopback docker-registry holding the images, and
// the Anchore simulator (Enterprise v2, version detected) as the scanner. A Pod admitted by tag is
// pending while Anchore analyses, then gets the verdict, which later admissions read from the cache.

requireRegistryBinaries();

const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js');
const POLL_MS = 400;

let work: string;
let registry: TestRegistry;
let redis: TestRedis;
let anchore: AnchoreSimulator;
let webhook: TestWebhook;
let worker: ChildProcess | undefined;
let workerLog = '';

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "pnpm exec tsc -b" (pnpm test does it first)`);
  work = mkdtempSync(join(tmpdir(), 'scangate-anchore-e2e-'));
  registry = await startRegistry();
  redis = await startRedis();
  anchore = await AnchoreSimulator.start({
    flavour: 'v2',
    decide: ({ tags }) =>
      tags.some((tag) => tag.includes('/vulnerable:'))
        ? {
            kind: 'fail',
            findings: [
              {
                gate: 'vulnerabilities',
                trigger: 'package',
                message: 'CRITICAL Vulnerability found in os package type (APKG) - busybox (CVE-2024-58251)',
              },
            ],
          }
        : { kind: 'pass' },
  });
  const { loaded, tlsCA } = await loadServingConfig({
    redis: { url: redis.url, prefix: 'anchore-e2e' },
    analyzer: {
      type: 'anchore',
      anchore: {
        url: anchore.url,
        username: DEFAULT_USER.username,
        password: DEFAULT_USER.password,
        apiVersion: 'auto',
      },
      pollIntervalMs: POLL_MS,
    },
    registries: { insecure: [registry.host], privateHosts: [registry.host] },
    // Shorter than Anchore's analysis (≥ 3 polls): the first admission cannot see the verdict.
    admission: { waitBudgetMs: POLL_MS, onPending: 'deny' },
    worker: { concurrency: 2, metricsPort: 0 },
  });
  webhook = await startTestWebhook({ loaded, tlsCA });
  worker = spawn(process.execPath, [CLI, 'worker', '--config', loaded.file ?? ''], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  worker.stderr?.setEncoding('utf8').on('data', (chunk: string) => (workerLog += chunk));
  await eventually(
    async () => (workerLog.includes('scangate worker consuming') ? true : undefined),
    30_000,
    `the worker to start:\n${workerLog}`,
  );
});

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await webhook?.stop();
  await anchore?.stop();
  await redis?.dispose();
  await registry?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function admit(image: string): Promise<AdmissionAnswer> {
  const pod = withoutEphemeralContainers(kubeObject('pod'));
  const spec = pod['spec'] as Record<string, unknown>;
  spec['initContainers'] = [];
  spec['volumes'] = [];
  spec['containers'] = [{ name: 'app', image }];
  const res = await webhook.client.post(
    '/validate',
    fixtureReview('pod', { object: pod, operation: 'CREATE', subResource: undefined }),
  );
  if (res.status !== 200) throw new Error(`validate answered ${res.status}: ${res.text}`);
  return res.json<{ response: AdmissionAnswer }>().response;
}

/** Admits until the answer is no longer pending; returns it and the time since the first admission. */
async function untilVerdict(
  image: string,
): Promise<{ first: AdmissionAnswer; verdict: AdmissionAnswer; elapsedMs: number }> {
  const started = Date.now();
  const first = await admit(image);
  const verdict = await eventually(
    async () => {
      const answer = await admit(image);
      return answer.status?.message?.includes('[analysis-pending]') ? undefined : answer;
    },
    30_000,
    `a verdict for ${image} (worker log:\n${workerLog})`,
  );
  return { first, verdict, elapsedMs: Date.now() - started };
}

it('a new image is pending while Anchore analyses it, then allowed, then answered from the cache', async () => {
  const image = `${registry.host}/team/app:1.0`;
  await pushImage(await buildImage(work, 'anchore e2e: clean'), registry, 'team/app:1.0', { format: 'oci' });
  const digest = await skopeoDigest(registry, 'team/app:1.0');

  const { first, verdict, elapsedMs } = await untilVerdict(image);
  expect(first.allowed).toBe(false);
  expect(first.status?.message).toContain('[analysis-pending]');
  expect(verdict.allowed).toBe(true);
  expect(verdict.auditAnnotations?.['digests']).toBe(digest);
  // Printed for the report: time from the first admission to the verdict (three Anchore polls).
  console.log(`anchore e2e: first admission → verdict in ${elapsedMs} ms (pollIntervalMs ${POLL_MS})`);

  const callsBefore = anchore.requests.length;
  const cached = await admit(image);
  expect(cached.allowed).toBe(true);
  expect(anchore.requests.length).toBe(callsBefore);
  expect(anchore.calls('POST', '/v2/images')).toHaveLength(1);
  const check = anchore.calls('GET', `/v2/images/${digest}/check`);
  expect(check.map((c) => c.query['tag'])).toEqual([`${registry.host}/team/app:1.0`]);
});

it('an image failing the Anchore policy is denied with the gate and trigger', async () => {
  const image = `${registry.host}/team/vulnerable:2`;
  await pushImage(await buildImage(work, 'anchore e2e: vulnerable'), registry, 'team/vulnerable:2', { format: 'oci' });
  const { verdict } = await untilVerdict(image);
  expect(verdict.allowed).toBe(false);
  expect(verdict.status?.message).toContain('[analysis-denied]');
  expect(verdict.status?.message).toContain(
    'vulnerabilities/package: CRITICAL Vulnerability found in os package type (APKG) - busybox',
  );
});

it('every exchange with Anchore conformed to the saved v2 specs', () => {
  // Detected once by the worker process (the webhook only enqueues; it never calls Anchore).
  expect(anchore.calls('GET', '/version')).toHaveLength(1);
  expect(anchore.violations).toEqual([]);
});
