import type { Redis } from 'ioredis';
import { parseImageRef } from '@scangate/image-ref';
import { TEST_FINDING, testTagDigest } from './harness/test-analyzer';
import type { TestRedis } from './harness/redis-server';
import { startRedis } from './harness/redis-server';
import { runCliAsync } from './harness/cli';
import { freePort } from './harness/local-host';
import { ADMIN_TOKEN, ScangateStack, eventually } from './harness/scangate-stack';

const digestOf = (image: string): string => testTagDigest(parseImageRef(image).canonical);
const verdictKey = (prefix: string, image: string): string => `{${prefix}}:v:test:test-v1:${digestOf(image)}`;

/**
 * Issue 4 end to end: the real HTTPS webhook, a real redis-server, and the analysis worker as a
 * separate process running the test analyzer through the analyzer port.
 */
describe('verdict cache, queue and worker over real Redis', () => {
  let workerMetricsPort = 0;
  let redis: TestRedis;
  let stack: ScangateStack;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = redis.client();
    stack = await ScangateStack.start({
      redis: { url: redis.url, prefix: 'e2e' },
      admission: { waitBudgetMs: 8000 },
      worker: { concurrency: 2 },
    });
    workerMetricsPort = await freePort();
    await stack.addWorker({ metricsPort: workerMetricsPort });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.dispose();
  });

  it('a miss becomes one job for the worker process; the verdict then answers from the cache', async () => {
    const image = 'registry.example.com/e2e/app-1:1.0';
    const missesBefore = await stack.metric('scangate_verdict_cache_total', { result: 'miss' });
    const first = await stack.admit(image);
    expect(first.allowed).toBe(true);
    expect(first.auditAnnotations?.['digests']).toBe(digestOf(image));
    expect(stack.calls(digestOf(image))).toHaveLength(1);
    expect(await stack.metric('scangate_verdict_cache_total', { result: 'miss' })).toBe(missesBefore + 1);

    const hitsBefore = await stack.metric('scangate_verdict_cache_total', { result: 'hit' });
    const second = await stack.admit(image);
    expect(second.allowed).toBe(true);
    expect(stack.calls(digestOf(image))).toHaveLength(1);
    expect(await stack.metric('scangate_verdict_cache_total', { result: 'hit' })).toBe(hitsBefore + 1);
    expect(await client.pttl(verdictKey('e2e', image))).toBeGreaterThan(290_000);
  });

  it('a deny verdict names the findings', async () => {
    const answer = await stack.admit('registry.example.com/e2e/deny-app:1.0');
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('[analysis-denied]');
    expect(answer.status?.message).toContain(TEST_FINDING);
    expect(await client.pttl(verdictKey('e2e', 'registry.example.com/e2e/deny-app:1.0'))).toBeLessThanOrEqual(30_000);
  });

  it('100 concurrent admissions of a new image make exactly one analysis; a forced rescan runs again', async () => {
    const image = 'registry.example.com/e2e/burst:1';
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => stack.admit(image, { uid: `burst-${i}` })));
    expect(answers.every((a) => a.allowed)).toBe(true);
    expect(stack.calls(digestOf(image))).toHaveLength(1);

    const forced = await stack.admin('POST', '/admin/v1/analyses', { body: { image } });
    expect(forced.status).toBe(202);
    const done = await eventually(
      async () => {
        const job = await stack.admin('GET', `/admin/v1/analyses/${forced.body.jobId}`);
        return job.body.state === 'completed' ? job.body : undefined;
      },
      15_000,
      'the forced analysis',
    );
    expect(done.outcome).toMatch(/allow/);
    expect(stack.calls(digestOf(image))).toHaveLength(2);
  });

  it('a failing analyzer leaves no verdict, answers onError, and can be rescanned', async () => {
    const image = 'registry.example.com/e2e/broken-app:1';
    const answer = await stack.admit(image);
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('[analysis-error]');
    expect(await client.exists(verdictKey('e2e', image))).toBe(0);
    expect(stack.calls(digestOf(image))).toHaveLength(1);

    const forced = await stack.admin('POST', '/admin/v1/analyses', { body: { image } });
    await eventually(
      async () => {
        const job = await stack.admin('GET', `/admin/v1/analyses/${forced.body.jobId}`);
        return job.body.state === 'failed' || job.body.state === 'completed' ? job.body : undefined;
      },
      15_000,
      'the forced analysis of a broken image',
    );
    expect(stack.calls(digestOf(image))).toHaveLength(2);
    expect(await client.exists(verdictKey('e2e', image))).toBe(0);
  });

  it('dryRun admissions are evaluated but enqueue nothing', async () => {
    const image = 'registry.example.com/e2e/dry-run:1';
    const before = await stack.admin('GET', '/admin/v1/queue');
    const answer = await stack.admit(image, { dryRun: true });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('[analysis-pending]');
    expect(answer.status?.message).toContain('dry run: nothing enqueued');
    const after = await stack.admin('GET', '/admin/v1/queue');
    expect(after.body.counts).toEqual(before.body.counts);
    expect(stack.calls(digestOf(image))).toHaveLength(0);
  });

  it('flush all, by image and by digest remove exactly that; the next admission re-analyses', async () => {
    expect((await stack.admin('DELETE', '/admin/v1/verdicts')).status).toBe(200);
    const a = 'registry.example.com/e2e/flush-a:1';
    const b = 'registry.example.com/e2e/flush-b:1';
    const c = 'registry.example.com/e2e/flush-c:1';
    for (const image of [a, b, c]) expect((await stack.admit(image)).allowed).toBe(true);

    const listed = await stack.admin('GET', '/admin/v1/verdicts');
    expect(listed.body.count).toBe(3);
    const byDigest = await stack.admin('DELETE', `/admin/v1/verdicts?image=${encodeURIComponent(digestOf(a))}`);
    expect(byDigest.body).toEqual({ flushed: { verdicts: 1, tags: 1 } });
    const byImage = await stack.admin(
      'DELETE',
      `/admin/v1/verdicts?image=${encodeURIComponent('registry.example.com/e2e/flush-b')}`,
    );
    expect(byImage.body).toEqual({ flushed: { verdicts: 1, tags: 1 } });
    expect((await stack.admin('GET', '/admin/v1/verdicts')).body.count).toBe(1);
    const all = await stack.admin('DELETE', '/admin/v1/verdicts');
    expect(all.body).toEqual({ flushed: { verdicts: 1, tags: 1 } });

    for (const image of [a, b, c]) expect((await stack.admit(image)).allowed).toBe(true);
    for (const image of [a, b, c]) expect(stack.calls(digestOf(image))).toHaveLength(2);
  });

  it('scangate cache ls|flush drive the admin API from a terminal', async () => {
    const image = 'registry.example.com/e2e/cli-cache:1';
    expect((await stack.admit(image)).allowed).toBe(true);
    const adminUrl = `http://127.0.0.1:${stack.webhook.webhook.adminPort}`;
    const env = { SCANGATE_ADMIN_TOKEN: ADMIN_TOKEN };
    const listed = await runCliAsync(['cache', 'ls', '--admin-url', adminUrl, '--image', image], { env });
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      count: 1,
      verdicts: [{ digest: digestOf(image), allowed: true }],
    });
    const flushed = await runCliAsync(['cache', 'flush', '--admin-url', adminUrl, '--image', image], { env });
    expect(flushed.stdout).toBe('flushed 1 verdict(s) and 1 tag memo(s)\n');
    const refused = await runCliAsync(['cache', 'ls', '--admin-url', adminUrl], {
      env: { SCANGATE_ADMIN_TOKEN: 'wrong-token-0123456789' },
    });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('admin API 401');
  });

  it('the admin API refuses missing and wrong tokens; /metrics needs none', async () => {
    expect((await stack.admin('GET', '/admin/v1/verdicts', { token: null })).status).toBe(401);
    expect((await stack.admin('GET', '/admin/v1/verdicts', { token: 'wrong' })).status).toBe(401);
    expect((await stack.admin('GET', '/admin/v1/openapi.json', { token: null })).status).toBe(401);
    const doc = await stack.admin('GET', '/admin/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.0.3');
    expect((await stack.admin('GET', '/metrics', { token: null })).status).toBe(200);
    expect(
      await stack.metric('scangate_admission_requests_total', { decision: 'allow', mode: 'enforce', reason: 'passed' }),
    ).toBeGreaterThan(0);
    expect(await stack.metric('scangate_admission_duration_seconds_count', { endpoint: 'validate' })).toBeGreaterThan(
      0,
    );
  });

  it("the worker process's /metrics counts its analyses by outcome", async () => {
    const text = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
    const sample = (labels: string): number =>
      Number(
        / (\d+)$/.exec(
          text.split('\n').find((l) => l.startsWith(`scangate_analysis_jobs_total{${labels}}`)) ?? ' 0',
        )?.[1],
      );
    expect(sample('analyzer="test",outcome="verdict"')).toBeGreaterThanOrEqual(4);
    expect(sample('analyzer="test",outcome="failed"')).toBeGreaterThanOrEqual(2);
    expect(text).toContain('scangate_analysis_duration_seconds_count{analyzer="test"}');
  });
});

describe('allowTTL and denyTTL over real Redis', () => {
  let redis: TestRedis;
  let stack: ScangateStack;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = redis.client();
    stack = await ScangateStack.start(
      {
        redis: { url: redis.url, prefix: 'ttl' },
        cache: { allowTTL: 2, denyTTL: 1 },
        admission: { waitBudgetMs: 8000 },
      },
      { workers: 1 },
    );
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.dispose();
  });

  it.each([
    ['allow', 'registry.example.com/ttl/app:1', true, 2000],
    ['deny', 'registry.example.com/ttl/deny-app:1', false, 1000],
  ])(
    'an %s verdict lives its TTL in Redis, then the next admission re-analyses',
    async (_kind, image, allowed, ttlMs) => {
      expect((await stack.admit(image)).allowed).toBe(allowed);
      const pttl = await client.pttl(verdictKey('ttl', image));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(ttlMs);
      // Waiting for Redis's own expiry: the behaviour under test.
      await eventually(
        async () => ((await client.exists(verdictKey('ttl', image))) === 0 ? true : undefined),
        ttlMs + 2000,
        'the verdict to expire',
      );
      expect((await stack.admit(image)).allowed).toBe(allowed);
      expect(stack.calls(digestOf(image))).toHaveLength(2);
    },
  );
});

describe('a Redis outage', () => {
  let redis: TestRedis;
  let stack: ScangateStack;
  const budget = 1500;

  beforeAll(async () => {
    redis = await startRedis();
    stack = await ScangateStack.start(
      { redis: { url: redis.url, prefix: 'outage' }, admission: { waitBudgetMs: budget } },
      { workers: 1 },
    );
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.dispose();
  });

  it('answers within the budget (cached from L1, others by onError) and recovers by itself', async () => {
    const cached = 'registry.example.com/outage/cached:1';
    expect((await stack.admit(cached)).allowed).toBe(true);
    await redis.stop();

    for (const image of [cached, 'registry.example.com/outage/new:1', cached]) {
      const started = Date.now();
      const answer = await stack.admit(image);
      expect(Date.now() - started).toBeLessThanOrEqual(budget + 250);
      if (image === cached)
        expect(answer.status?.message ?? 'allowed').toBe('allowed'); // from L1
      else {
        expect(answer.allowed).toBe(false);
        expect(answer.status?.message).toContain('[analysis-error]');
      }
    }
    expect((await stack.webhook.client.get('/readyz')).status).toBe(503);
    expect((await stack.webhook.client.get('/healthz')).status).toBe(200);

    await redis.restart();
    await eventually(
      async () => ((await stack.webhook.client.get('/readyz')).status === 200 ? true : undefined),
      15_000,
      'readiness after Redis returns',
    );
    const fresh = await eventually(
      async () => {
        const answer = await stack.admit('registry.example.com/outage/after:1');
        return answer.allowed ? answer : undefined;
      },
      20_000,
      'an analysis after Redis returns',
    );
    expect(fresh.allowed).toBe(true);
  });
});

describe('embedded mode: the same analysis in-process, no Redis', () => {
  let stack: ScangateStack;
  beforeAll(async () => {
    stack = await ScangateStack.start({ admission: { waitBudgetMs: 8000 } });
  });
  afterAll(() => stack?.stop());

  it('analyses a miss in-process and answers later admissions from memory', async () => {
    const deny = await stack.admit('registry.example.com/embedded/deny-app:1');
    expect(deny.allowed).toBe(false);
    expect(deny.status?.message).toContain(TEST_FINDING);
    const hitsBefore = await stack.metric('scangate_verdict_cache_total', { result: 'hit' });
    expect((await stack.admit('registry.example.com/embedded/deny-app:1')).allowed).toBe(false);
    expect(await stack.metric('scangate_verdict_cache_total', { result: 'hit' })).toBe(hitsBefore + 1);
    expect(await stack.metric('scangate_analysis_jobs_total', { analyzer: 'test', outcome: 'verdict' })).toBe(1);
  });
});
