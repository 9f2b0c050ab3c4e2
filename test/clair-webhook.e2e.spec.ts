import { randomUUID } from 'node:crypto';
import { type ApkPackage, pushAlpineImage } from './harness/alpine-image';
import { type AlpineVulnerability, TestClair } from './harness/clair';
import { ClairStack, NOTIFIER_HEADER, NOTIFIER_TOKEN } from './harness/clair-stack';
import { requireRegistryBinaries, startRegistry, type TestRegistry } from './harness/docker-registry';
import { startPostgres, type TestPostgres } from './harness/postgres';
import type { AdmissionAnswer } from './harness/scangate-stack';
import { eventually } from './harness/scangate-stack';

// Issue 6 end to end with a real Clair v4.9.0: admission over HTTPS → Clair indexes the image the
// registry serves → verdict → cache; then Clair's notifier tells scangate about a new
// vulnerability and the cached allow is replaced by a deny long before its allowTTL ends.

// Clair's notifier polls and delivers on one-minute tickers (its floor): the notification test
// waits up to ~2 minutes; everything else takes seconds.
jest.setTimeout(300_000);
requireRegistryBinaries();

const FIRST_IMPORT: readonly AlpineVulnerability[] = [{ name: 'CVE-2099-0001', package: 'busybox', fixedIn: '1.36.1-r99', severity: 'High' }];
const LATER_ADVISORY: AlpineVulnerability = { name: 'CVE-2099-0005', package: 'zlib', fixedIn: '1.3.1-r9', severity: 'High' };
const PACKAGES: readonly ApkPackage[] = [
  { name: 'alpine-baselayout', version: '3.4.3-r2' },
  { name: 'zlib', version: '1.3-r0' },
];

let postgres: TestPostgres;
let registry: TestRegistry;
let clair: TestClair;
let stack: ClairStack;

beforeAll(async () => {
  [postgres, registry] = await Promise.all([startPostgres(), startRegistry()]);
  clair = await TestClair.allocate(postgres);
  stack = await ClairStack.start(clair, registry, {
    // A 1 ms budget: the first admission answers pending, so the cycle is visible.
    admission: { waitBudgetMs: 1, onPending: 'deny' },
    cache: { allowTTL: 3600, denyTTL: 3600, tagTTL: 3600 },
  });
  await clair.start({ notifierTarget: stack.notifierTarget, notifierHeaders: { [NOTIFIER_HEADER]: NOTIFIER_TOKEN } });
  await clair.importVulnerabilities(FIRST_IMPORT);
});

afterAll(async () => {
  await stack?.stop();
  await clair?.dispose();
  await Promise.all([postgres?.dispose(), registry?.dispose()]);
});

const decided = (answer: AdmissionAnswer): boolean => !(answer.status?.message ?? answer.warnings?.join(' ') ?? '').includes('analysis-pending');

describe('scangate with Clair v4.9.0', () => {
  it('admits by tag: pending, then the verdict, then the cached decision; a Clair notification turns it into a deny', async () => {
    const image = await pushAlpineImage(registry, 'shop/cart:1.0', PACKAGES);
    const started = Date.now();
    const first = await stack.admit(image.reference);
    expect(first.allowed).toBe(false);
    expect(first.status?.message).toContain('analysis-pending');

    const verdict = await eventually(async () => {
      const answer = await stack.admit(image.reference);
      return decided(answer) ? answer : undefined;
    }, 60_000, 'a Clair verdict');
    const firstVerdictMs = Date.now() - started;
    process.stdout.write(`clair e2e: first admission → verdict in ${firstVerdictMs} ms\n`);
    expect(verdict.allowed).toBe(true);

    const hits = await stack.metric('scangate_verdict_cache_total', { result: 'hit' });
    expect((await stack.admit(image.reference)).allowed).toBe(true);
    expect(await stack.metric('scangate_verdict_cache_total', { result: 'hit' })).toBe(hits + 1);

    // A new advisory for zlib: Clair's notifier calls scangate, which drops the allow and re-analyses.
    const notified = Date.now();
    await clair.importVulnerabilities([...FIRST_IMPORT, LATER_ADVISORY]);
    const denied = await eventually(async () => {
      const answer = await stack.admit(image.reference);
      return !answer.allowed && decided(answer) ? answer : undefined;
    }, 180_000, 'a deny after the Clair notification');
    process.stdout.write(`clair e2e: import-updaters → deny served in ${Date.now() - notified} ms\n`);
    expect(denied.status?.message).toContain('analysis-denied');
    expect(denied.status?.message).toContain('CVE-2099-0005 (High) in zlib 1.3-r0, fixed in 1.3.1-r9');
    const listed = await stack.admin('GET', '/admin/v1/verdicts');
    expect(listed.body).toMatchObject({ verdicts: [{ digest: image.digest, analyzer: 'clair', allowed: false }] });
  });

  it('the notifier route takes only its own header, not the admin token', async () => {
    const body = { notification_id: randomUUID(), callback: 'http://198.51.100.7/elsewhere' };
    expect((await stack.admin('POST', '/admin/v1/notifications/clair', { body, headers: {} })).status).toBe(401);
    expect((await stack.admin('POST', '/admin/v1/notifications/clair', { body })).status).toBe(401);
    const wrong = await stack.admin('POST', '/admin/v1/notifications/clair', { body, headers: { [NOTIFIER_HEADER]: 'not-the-token' } });
    expect(wrong.status).toBe(401);
  });

  it('answers 200 to a redelivered (already deleted or unknown) notification, and never follows its callback', async () => {
    const body = { notification_id: randomUUID(), callback: 'http://198.51.100.7/notifier/api/v1/notification/x' };
    const answer = await stack.admin('POST', '/admin/v1/notifications/clair', { body, headers: { [NOTIFIER_HEADER]: NOTIFIER_TOKEN } });
    expect(answer).toMatchObject({ status: 200, body: { notificationId: body.notification_id, manifests: 0, flushed: { verdicts: 0, tags: 0 } } });
  });

  it('is 404 when no notifier token is configured', async () => {
    const bare = await ClairStack.start(clair, registry, {
      analyzer: { type: 'clair', clair: { url: clair.url, psk: clair.psk, issuer: clair.issuer } },
    });
    try {
      const body = { notification_id: randomUUID() };
      expect((await bare.admin('POST', '/admin/v1/notifications/clair', { body, headers: { [NOTIFIER_HEADER]: NOTIFIER_TOKEN } })).status).toBe(404);
    } finally {
      await bare.stop();
    }
  });
});
