import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureReview, imageReview, kubeObject } from './fixtures/kube';
import { runCli } from './harness/cli';
import { setAtPath } from './harness/json-path';
import type { TestWebhook } from './harness/webhook-harness';
import { loadServingConfig, startTestWebhook, tempDir } from './harness/webhook-harness';

/** `scangate review --output json` and `POST /validate` are one pipeline: same bytes out. */
describe('scangate review --output json', () => {
  const settings = {
    admission: { namespaces: [{ names: ['sandbox'], mode: 'warn' }] },
    policy: {
      allowedRegistries: ['registry.example.com', 'docker.io', 'quay.io', 'ghcr.io'],
      deniedImages: ['docker.io/library/busybox'],
    },
  };
  let server: TestWebhook;
  let configFile: string;
  const dir = tempDir('review');

  beforeAll(async () => {
    const { loaded, tlsCA } = await loadServingConfig(settings);
    configFile = loaded.file ?? '';
    server = await startTestWebhook({ loaded, tlsCA });
  });
  afterAll(() => server.stop());

  const latest = kubeObject('deployment');
  setAtPath(latest, 'spec.template.spec.containers[0].image', 'nginx:latest');
  const cases: [string, object, string][] = [
    ['an allowed Deployment', fixtureReview('deployment', { uid: 'cli-1' }), '/validate'],
    ['a denied Deployment', fixtureReview('deployment', { uid: 'cli-2', object: latest }), '/validate'],
    [
      'warn mode in a namespace override',
      fixtureReview('deployment', { uid: 'cli-3', object: latest, namespace: 'sandbox' }),
      '/validate',
    ],
    ['v1beta1 CronJob', fixtureReview('cronjob', { uid: 'cli-4', version: 'v1beta1' }), '/validate'],
    [
      'a malformed reference',
      fixtureReview('job', {
        uid: 'cli-5',
        object: withImage(kubeObject('job'), 'spec.template.spec.containers[0].image', 'UP/x:1@sha256:12'),
      }),
      '/validate',
    ],
    [
      'an ImageReview',
      imageReview({ images: ['busybox:1.36', 'quay.io/x/y:1'], namespace: 'default' }),
      '/imagereview',
    ],
  ];

  it.each(cases)('%s: identical bytes', async (_label, body, endpoint) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(body));
    const served = await server.client.post(endpoint, body);
    expect(served.status).toBe(200);
    const cli = runCli(['review', '--config', configFile, '--output', 'json', file]);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toBe(`${served.text}\n`);
    const allowed =
      endpoint === '/validate'
        ? served.json<{ response: { allowed: boolean } }>().response.allowed
        : served.json<{ status: { allowed: boolean } }>().status.allowed;
    expect(cli.status).toBe(allowed ? 0 : 1);
  });

  it('wraps a plain multi-document manifest as CREATEs and summarises', () => {
    const yaml = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: a, image: "nginx:1.27"}]}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: a, image: busybox}]}',
    ].join('\n---\n');
    const cli = runCli(['review', '--config', configFile, '-'], { input: yaml });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('ALLOWED  document 1 (Pod ok)');
    expect(cli.stdout).toContain('DENIED  document 2 (Deployment bad)');
    expect(cli.stdout).toContain('spec.template.spec.containers[0].image "busybox"');
    expect(cli.stdout).toContain('[image-denied]');
  });

  it('a bad config is refused naming the key', () => {
    const cli = runCli(['review', '-'], { input: '{}', env: { SCANGATE_CACHE_ALLOWTTL: 'soon' } });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('cache.allowTTL');
  });
});

function withImage(object: Record<string, unknown>, path: string, image: string): Record<string, unknown> {
  setAtPath(object, path, image);
  return object;
}
