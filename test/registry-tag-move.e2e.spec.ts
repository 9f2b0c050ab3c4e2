import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureReview, kubeObject, withoutEphemeralContainers } from './fixtures/kube';
import {
  buildImage,
  pushImage,
  requireRegistryBinaries,
  skopeoDigest,
  startRegistry,
  type TestRegistry,
} from './harness/docker-registry';
import type { AdmissionAnswer } from './harness/scangate-stack';
import { eventually } from './harness/scangate-stack';
import type { AnalyzerCall } from './harness/test-analyzer';
import { TestAnalyzer } from './harness/test-analyzer';
import type { TestWebhook } from './harness/webhook-harness';
import { loadServingConfig, startTestWebhook } from './harness/webhook-harness';

// A tag re-pushed to a new image, end to end: the real HTTPS webhook in embedded mode with its
// default resolver (the registry client from config, reaching the loopback docker-registry through
// registries.privateHosts) and the test analyzer. Once the tag memo (cache.tagTTL) expires the tag
// resolves to the new digest, which is analysed on its own: the old digest's verdict is not used.

requireRegistryBinaries();

let registry: TestRegistry;
let webhook: TestWebhook;
let work: string;
const calls: AnalyzerCall[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scangate-tag-move-'));
  registry = await startRegistry();
  const { loaded, tlsCA } = await loadServingConfig({
    registries: { insecure: [registry.host], privateHosts: [registry.host] },
    cache: { tagTTL: 1 },
    admission: { waitBudgetMs: 8000 },
  });
  webhook = await startTestWebhook({
    loaded,
    tlsCA,
    analyzer: new TestAnalyzer({ onCall: (call) => calls.push(call) }),
  });
});

afterAll(async () => {
  await webhook?.stop();
  await registry?.dispose();
  rmSync(work, { recursive: true, force: true });
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

it('a re-pushed tag resolves to the new digest once the tag memo expires, and the new digest is analysed on its own', async () => {
  const image = `${registry.host}/moving:1`;
  await pushImage(await buildImage(work, 'first push'), registry, 'moving:1', { format: 'oci' });
  const first = await skopeoDigest(registry, 'moving:1');

  const before = await admit(image);
  expect(before.allowed).toBe(true);
  expect(before.auditAnnotations?.['digests']).toBe(first);
  expect(calls.map((call) => call.digest)).toEqual([first]);

  await pushImage(await buildImage(work, 'second push'), registry, 'moving:1', { format: 'oci' });
  const second = await skopeoDigest(registry, 'moving:1');
  expect(second).not.toBe(first);

  // Within tagTTL the memo may still answer the first digest; after it, only the second.
  const after = await eventually(
    async () => {
      const answer = await admit(image);
      return answer.auditAnnotations?.['digests'] === second ? answer : undefined;
    },
    10_000,
    'the webhook to see the re-pushed tag',
  );
  expect(after.allowed).toBe(true);
  expect(calls.filter((call) => call.digest === second)).toHaveLength(1);
  expect(calls.filter((call) => call.digest === first)).toHaveLength(1);
  expect(calls.find((call) => call.digest === second)?.reference).toBe(`${registry.host}/moving:1`);
});
