import type { KubeApiserver } from './harness/kube-apiserver';
import { startKubeApiserver } from './harness/kube-apiserver';

// The harness itself: a real kube-apiserver over a real etcd answers kubectl and /metrics.
describe('kube-apiserver harness', () => {
  let kube: KubeApiserver | undefined;

  beforeAll(async () => {
    const started = Date.now();
    kube = await startKubeApiserver();
    process.stdout.write(`kube-apiserver ready in ${Date.now() - started} ms\n`);
  }, 120_000);

  afterAll(async () => {
    await kube?.stop();
  });

  it('serves kubectl with the admin kubeconfig', async () => {
    const created = await kube!.kubectl(['create', 'namespace', 'harness-check']);
    expect(created).toMatchObject({ code: 0 });
    const got = await kube!.kubectl(['get', 'namespace', 'harness-check', '-o', 'jsonpath={.metadata.name}']);
    expect(got).toEqual({ code: 0, stdout: 'harness-check', stderr: '' });
  });

  it('reports a failing kubectl command without throwing', async () => {
    const missing = await kube!.kubectl(['get', 'namespace', 'does-not-exist']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('not found');
  });

  it('exposes the apiserver metrics', async () => {
    expect(await kube!.metrics()).toContain('apiserver_request_total');
  });
});
