import { randomUUID } from 'node:crypto';
import { type ApkPackage, pushAlpineImage } from './harness/alpine-image';
import { type AlpineVulnerability, TestClair } from './harness/clair';
import { ClairStack, NOTIFIER_HEADER, NOTIFIER_TOKEN } from './harness/clair-stack';
import { requireRegistryBinaries, startRegistry, type TestRegistry } from './harness/docker-registry';
import { freePort } from './harness/local-host';
import { startPostgres, type TestPostgres } from './harness/postgres';
import { startRedis, type TestRedis } from './harness/redis-server';
import type { AdmissionAnswer } from './harness/scangate-stack';
import { eventually } from './harness/scangate-stack';

// Issue 6 end to end with a real Clair v4.9.0: the HTTPS webhook and the real `scangate worker`
// CLI over a real Redis; admission → job → Clair indexes what the registry serves → verdict →
// cache. Then Clair's notifier tells scangate about a new advisory and the cached allow becomes a
// deny long before its allowTTL ends; then Clair goes away and comes back.
//
// Clair's notifier polls and delivers on one-minute tickers (its floor; see harness/clair.ts), so
// the notification test waits about two minutes; everything else takes seconds.

jest.setTimeout(300_000);
requireRegistryBinaries();

const FIRST_IMPORT: readonly AlpineVulnerability[] = [
  { name: 'CVE-2099-0001', package: 'busybox', fixedIn: '1.36.1-r99', severity: 'High' },
];
const LATER_ADVISORY: AlpineVulnerability = {
  name: 'CVE-2099-0005',
  package: 'zlib',
  fixedIn: '1.3.1-r9',
  severity: 'High',
};
const BASE: readonly ApkPackage[] = [{ name: 'alpine-baselayout', version: '3.4.3-r2' }];

let postgres: TestPostgres;
let registry: TestRegistry;
let redis: TestRedis;
let clair: TestClair;
let stack: ClairStack;
let workerMetricsPort: number;

beforeAll(async () => {
  [postgres, registry, redis] = await Promise.all([startPostgres(), startRegistry(), startRedis()]);
  clair = await TestClair.allocate(postgres);
  workerMetricsPort = await freePort();
  stack = await ClairStack.start(clair, registry, {
    redis: { url: redis.url, prefix: 'clair-e2e' },
    worker: { concurrency: 2, metricsPort: workerMetricsPort },
    // A 20 ms budget: enough to enqueue, too short for an analysis (resolve, index, match), so the
    // first admission answers pending and the whole cycle is visible.
    admission: { waitBudgetMs: 20, onPending: 'deny', onError: 'deny' },
    cache: { allowTTL: 3600, denyTTL: 3600, tagTTL: 3600, errorBackoffMs: 500 },
  });
  await clair.start({ notifierTarget: stack.notifierTarget, notifierHeaders: { [NOTIFIER_HEADER]: NOTIFIER_TOKEN } });
  await clair.importVulnerabilities(FIRST_IMPORT);
  // Started once Clair runs: its breaker settings are the stack's (analyzer.breaker).
  await stack.startWorker();
});

afterAll(async () => {
  await stack?.stop();
  await clair?.dispose();
  await Promise.all([postgres?.dispose(), registry?.dispose(), redis?.dispose()]);
});

const messageOf = (answer: AdmissionAnswer): string => answer.status?.message ?? answer.warnings?.join(' ') ?? '';
const decided = (answer: AdmissionAnswer): boolean => !/analysis-(pending|error)/.test(messageOf(answer));

/** One sample of the worker's own /metrics (0 when absent). */
async function workerMetric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function verdictFor(reference: string, timeoutMs: number, what: string): Promise<AdmissionAnswer> {
  return eventually(
    async () => {
      const answer = await stack.admit(reference);
      return decided(answer) ? answer : undefined;
    },
    timeoutMs,
    what,
  );
}

describe('scangate with Clair v4.9.0, through the worker', () => {
  it('admits by tag: pending, then the verdict, then the cached decision; a Clair notification turns it into a deny', async () => {
    const image = await pushAlpineImage(registry, 'shop/cart:1.0', [...BASE, { name: 'zlib', version: '1.3-r0' }]);
    const started = Date.now();
    const first = await stack.admit(image.reference);
    expect(first.allowed).toBe(false);
    expect(messageOf(first)).toContain('analysis-pending');

    const verdict = await verdictFor(image.reference, 60_000, 'a Clair verdict');
    process.stdout.write(`clair e2e: first admission → verdict served in ${Date.now() - started} ms\n`);
    expect(verdict.allowed).toBe(true);
    const hits = await stack.metric('scangate_verdict_cache_total', { result: 'hit' });
    expect((await stack.admit(image.reference)).allowed).toBe(true);
    expect(await stack.metric('scangate_verdict_cache_total', { result: 'hit' })).toBe(hits + 1);

    // A new advisory for zlib: Clair's notifier calls scangate, which drops the allow and re-analyses.
    const imported = Date.now();
    await clair.importVulnerabilities([...FIRST_IMPORT, LATER_ADVISORY]);
    const denied = await eventually(
      async () => {
        const answer = await stack.admit(image.reference);
        return !answer.allowed && decided(answer) ? answer : undefined;
      },
      180_000,
      'a deny after the Clair notification',
    );
    process.stdout.write(`clair e2e: import-updaters → deny served in ${Date.now() - imported} ms (allowTTL 3600 s)\n`);
    expect(messageOf(denied)).toContain('analysis-denied');
    expect(messageOf(denied)).toContain('CVE-2099-0005 (High) in zlib 1.3-r0, fixed in 1.3.1-r9');
    const listed = await stack.admin('GET', '/admin/v1/verdicts');
    expect(listed.body).toMatchObject({ verdicts: [{ digest: image.digest, analyzer: 'clair', allowed: false }] });
  });

  it('leaves no verdict while Clair is down, opens the breaker, and serves verdicts again once it is back', async () => {
    const image = await pushAlpineImage(registry, 'shop/outage:1.0', [
      ...BASE,
      { name: 'busybox', version: '1.36.1-r0' },
    ]);
    const circuit = (state: string): Promise<number> =>
      workerMetric('scangate_analyzer_circuit_state', `analyzer="clair",state="${state}"`);
    expect(await circuit('closed')).toBe(1);
    await clair.stop();
    try {
      const failed = await eventually(
        async () => {
          const answer = await stack.admit(image.reference);
          return messageOf(answer).includes('analysis-error') ? answer : undefined;
        },
        60_000,
        'an analysis error while Clair is down',
      );
      expect(failed.allowed).toBe(false);
      await eventually(
        async () => ((await circuit('open')) === 1 ? true : undefined),
        30_000,
        "the worker's clair circuit to open",
      );
      const pinned = `${registry.host}/shop/outage@${image.digest}`;
      const listed = await stack.admin('GET', `/admin/v1/verdicts?image=${encodeURIComponent(pinned)}`);
      expect(listed.body).toMatchObject({ count: 0 });
    } finally {
      await clair.start();
    }
    const after = await verdictFor(image.reference, 90_000, 'a verdict once Clair is back');
    expect(after.allowed).toBe(false);
    expect(messageOf(after)).toContain('CVE-2099-0001 (High) in busybox 1.36.1-r0');
    expect(await circuit('closed')).toBe(1);
    expect(await circuit('open')).toBe(0);
  });

  it('the notifier route takes only its own header, not the admin token', async () => {
    const body = { notification_id: randomUUID(), callback: 'http://198.51.100.7/elsewhere' };
    expect((await stack.admin('POST', '/admin/v1/notifications/clair', { body, headers: {} })).status).toBe(401);
    expect((await stack.admin('POST', '/admin/v1/notifications/clair', { body })).status).toBe(401);
    const wrong = await stack.admin('POST', '/admin/v1/notifications/clair', {
      body,
      headers: { [NOTIFIER_HEADER]: 'not-the-token' },
    });
    expect(wrong.status).toBe(401);
  });

  it('answers 200 to a redelivered (already consumed or unknown) notification, and never follows its callback', async () => {
    const body = { notification_id: randomUUID(), callback: 'http://198.51.100.7/notifier/api/v1/notification/x' };
    const answer = await stack.admin('POST', '/admin/v1/notifications/clair', {
      body,
      headers: { [NOTIFIER_HEADER]: NOTIFIER_TOKEN },
    });
    expect(answer).toEqual({
      status: 200,
      body: {
        notificationId: body.notification_id,
        found: false,
        manifests: 0,
        flushed: { verdicts: 0, tags: 0 },
        requeued: 0,
      },
    });
  });

  it('is 404 when no notifier token is configured', async () => {
    const bare = await ClairStack.start(clair, registry, {
      analyzer: { type: 'clair', clair: { url: clair.url, psk: clair.psk, issuer: clair.issuer } },
    });
    try {
      const body = { notification_id: randomUUID() };
      expect(
        (
          await bare.admin('POST', '/admin/v1/notifications/clair', {
            body,
            headers: { [NOTIFIER_HEADER]: NOTIFIER_TOKEN },
          })
        ).status,
      ).toBe(404);
    } finally {
      await bare.stop();
    }
  });
});
