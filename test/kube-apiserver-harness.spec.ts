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

// A chart-installed webhook is a Service reference. Here its cluster IP (10.96.x) is not loopback,
// so the API server must never dial it: with aggregator routing it looks for endpoints, finds
// none (no controller-manager), and fails the call itself. The webhook's Service gets a cluster
// IP so that, without the flag, the call would have gone to it.
describe('a webhook behind a Service', () => {
  let kube: KubeApiserver | undefined;

  beforeAll(async () => {
    kube = await startKubeApiserver();
  }, 120_000);

  afterAll(async () => {
    await kube?.kubectl(['delete', 'validatingwebhookconfiguration', 'service-ref-check', '--ignore-not-found']);
    await kube?.stop();
  });

  it('is never dialled at its cluster IP: the call fails for want of endpoints', async () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'gate', namespace: 'default' },
      spec: { ports: [{ port: 443 }] },
    };
    expect(await kube!.kubectl(['apply', '-f', '-'], JSON.stringify(service))).toMatchObject({ code: 0 });
    const clusterIP = await kube!.kubectl(['get', 'service', 'gate', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(clusterIP.stdout).toMatch(/^10\.96\.0\.\d+$/);
    const webhook = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'service-ref-check' },
      webhooks: [
        {
          name: 'service-ref-check.scangate.io',
          clientConfig: { service: { namespace: 'default', name: 'gate', path: '/validate' } },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } },
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 5,
        },
      ],
    };
    expect(await kube!.kubectl(['apply', '-f', '-'], JSON.stringify(webhook))).toMatchObject({ code: 0 });
    const created = await kube!.kubectl(['create', 'configmap', 'probe', '-n', 'default']);
    expect(created.code).not.toBe(0);
    expect(created.stderr).toContain('failed calling webhook');
    expect(created.stderr).toMatch(/endpoints/);
    expect(created.stderr).not.toContain(clusterIP.stdout);
  });
});
