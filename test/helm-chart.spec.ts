import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { loadConfig } from '@scangate/config';
import { createLogger } from '@scangate/logging';
import { type RunningWebhook, startWebhook } from '@scangate/webhook';
import { runCli } from './harness/cli';
import { CHART_DIR, findObject, Helm, type KubeObject, parseManifests } from './harness/helm';
import { type KubeApiserver, startKubeApiserver } from './harness/kube-apiserver';
import { requireRedisBinaries, startRedis, type TestRedis } from './harness/redis-server';

// charts/scangate against real Helm (lint, template, schema) and a real kube-apiserver
// (server-side dry run of every rendered object, helm install and upgrade). There are no nodes:
// pods never run, which these tests do not need.

const NAMESPACE = 'scangate';
const RELEASE = 'gate';
const FULLNAME = `${RELEASE}-scangate`;
const WEBHOOK_SERVICE = `${FULLNAME}-webhook`;

const CLAIR_VALUES = {
  analyzer: { type: 'clair', clair: { url: 'http://clair.clair:6060', psk: 'c2VjcmV0LWtleS1mb3ItdGVzdHM=' } },
};
const EXISTING_SECRET_CA = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n',
).toString('base64');
const TLS_MODES: Record<string, Record<string, unknown>> = {
  generated: { tls: { mode: 'generated' } },
  certManager: { tls: { mode: 'certManager' } },
  existingSecret: {
    tls: { mode: 'existingSecret', existingSecret: { name: 'my-webhook-tls', caBundle: EXISTING_SECRET_CA } },
  },
};

interface Probe {
  readonly httpGet: { readonly path: string; readonly port: string; readonly scheme?: string };
}
interface Container {
  readonly name: string;
  readonly image: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly lifecycle?: { readonly preStop?: { readonly exec?: { readonly command: readonly string[] } } };
  readonly securityContext: Record<string, unknown>;
  readonly resources: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}
interface PodSpec {
  readonly containers: readonly Container[];
  readonly securityContext: Record<string, unknown>;
  readonly terminationGracePeriodSeconds?: number;
  readonly enableServiceLinks?: boolean;
  readonly affinity?: { readonly podAntiAffinity?: Record<string, unknown> };
  readonly volumes: readonly { readonly name: string; readonly secret?: { readonly secretName: string } }[];
}
interface Deployment extends KubeObject {
  readonly spec: {
    readonly replicas: number;
    readonly selector: { readonly matchLabels: Record<string, string> };
    readonly template: { readonly metadata: { readonly labels: Record<string, string> }; readonly spec: PodSpec };
  };
}
interface Webhook {
  readonly name: string;
  readonly clientConfig: { readonly service?: Record<string, unknown>; readonly caBundle?: string };
  readonly rules: readonly {
    readonly operations: readonly string[];
    readonly apiGroups: readonly string[];
    readonly resources: readonly string[];
  }[];
  readonly failurePolicy: string;
  readonly matchPolicy: string;
  readonly sideEffects: string;
  readonly timeoutSeconds: number;
  readonly admissionReviewVersions: readonly string[];
  readonly namespaceSelector: {
    readonly matchExpressions: readonly {
      readonly key: string;
      readonly operator: string;
      readonly values: readonly string[];
    }[];
  };
}
interface Secret extends KubeObject {
  readonly data: Record<string, string>;
}

const webhookOf = (objects: readonly KubeObject[]): Webhook => {
  const configuration = findObject(objects, 'ValidatingWebhookConfiguration') as KubeObject & { webhooks: Webhook[] };
  expect(configuration.webhooks).toHaveLength(1);
  return configuration.webhooks[0] as Webhook;
};
const deployment = (objects: readonly KubeObject[], suffix: string): Deployment =>
  findObject(objects, 'Deployment', suffix) as Deployment;
const container = (objects: readonly KubeObject[], suffix: string): Container => {
  const containers = deployment(objects, suffix).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0] as Container;
};
const decode = (base64: string): string => Buffer.from(base64, 'base64').toString('utf8');

let helm: Helm;
let scratch: string;

beforeAll(() => {
  helm = new Helm();
  scratch = mkdtempSync(join(tmpdir(), 'scangate-helm-spec-'));
});

afterAll(() => {
  helm?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('helm lint', () => {
  it.each(Object.keys(TLS_MODES))('passes with TLS mode %s (default values otherwise)', async (mode) => {
    const result = await helm.run(['lint', CHART_DIR, '--strict', '-f', helm.valuesFile(TLS_MODES[mode] ?? {})]);
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });

  it('passes with an analyzer, the worker, a ServiceMonitor and an external Redis', async () => {
    const values = {
      ...CLAIR_VALUES,
      serviceMonitor: { enabled: true },
      redis: { bundled: false, url: 'redis://redis.example:6379/0' },
    };
    const result = await helm.run(['lint', CHART_DIR, '--strict', '-f', helm.valuesFile(values)]);
    expect(result.code).toBe(0);
  });
});

describe('helm template with default values', () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await helm.template({});
  });

  it('renders the webhook, its Services, PDB, RBAC, NetworkPolicies, config, Redis and the VWC (no worker without an analyzer)', () => {
    const kinds = objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ConfigMap/gate-scangate-config',
        'Deployment/gate-scangate-redis',
        'Deployment/gate-scangate-webhook',
        'NetworkPolicy/gate-scangate-redis',
        'NetworkPolicy/gate-scangate-webhook',
        'PodDisruptionBudget/gate-scangate-webhook',
        'Secret/gate-scangate-secrets',
        'Secret/gate-scangate-webhook-tls',
        'Service/gate-scangate-admin',
        'Service/gate-scangate-redis',
        'Service/gate-scangate-webhook',
        'ServiceAccount/gate-scangate',
        'ValidatingWebhookConfiguration/gate-scangate',
      ].sort(),
    );
  });

  it('runs two webhook replicas, spread by anti-affinity and kept by a PDB', () => {
    const webhook = deployment(objects, '-webhook');
    expect(webhook.spec.replicas).toBeGreaterThanOrEqual(2);
    const pdb = findObject(objects, 'PodDisruptionBudget') as KubeObject & {
      spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    };
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(webhook.spec.selector.matchLabels);
    expect(webhook.spec.template.metadata.labels).toMatchObject(webhook.spec.selector.matchLabels);
    const antiAffinity = webhook.spec.template.spec.affinity?.podAntiAffinity ?? {};
    expect(JSON.stringify(antiAffinity)).toContain('kubernetes.io/hostname');
    expect(JSON.stringify(antiAffinity)).toContain(JSON.stringify(webhook.spec.selector.matchLabels));
  });

  it('probes /healthz and /readyz over HTTPS and drains with a preStop sleep inside the grace period', () => {
    const webhook = container(objects, '-webhook');
    expect(webhook.args).toEqual(['serve', '--config', '/etc/scangate/config/config.yaml']);
    expect(webhook.ports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'https', containerPort: 8443 }),
        expect.objectContaining({ name: 'admin', containerPort: 8081 }),
      ]),
    );
    expect(webhook.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(webhook.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    const sleep = webhook.lifecycle?.preStop?.exec?.command ?? [];
    expect(sleep[0]).toBe('/bin/sleep');
    const grace = deployment(objects, '-webhook').spec.template.spec.terminationGracePeriodSeconds ?? 0;
    expect(Number(sleep[1])).toBeGreaterThan(0);
    expect(Number(sleep[1])).toBeLessThan(grace);
  });

  it('runs every pod non-root with a read-only root filesystem, no capabilities, RuntimeDefault seccomp and resources', () => {
    for (const object of objects.filter((candidate) => candidate.kind === 'Deployment')) {
      const pod = (object as Deployment).spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.enableServiceLinks).toBe(false);
      for (const each of pod.containers) {
        expect(each.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(each.resources.requests).toBeDefined();
        expect(each.resources.limits?.['memory']).toBeDefined();
        expect(each.image).toMatch(/:[\w][\w.-]*(@sha256:[a-f0-9]{64})?$/);
        expect(each.image).not.toMatch(/:latest(@|$)/);
      }
    }
    expect(container(objects, '-webhook').securityContext).toMatchObject({ readOnlyRootFilesystem: true });
    expect(container(objects, '-webhook').volumeMounts).toEqual(
      expect.arrayContaining([expect.objectContaining({ mountPath: '/tmp' })]),
    );
  });

  it('serves the webhook Service on 443 → https and the admin Service on 8081', () => {
    const webhookService = findObject(objects, 'Service', '-webhook') as KubeObject & { spec: { ports: unknown[] } };
    expect(webhookService.spec.ports).toEqual([expect.objectContaining({ port: 443, targetPort: 'https' })]);
    const admin = findObject(objects, 'Service', '-admin') as KubeObject & { spec: { ports: unknown[] } };
    expect(admin.spec.ports).toEqual([expect.objectContaining({ port: 8081, targetPort: 'admin' })]);
  });

  it('bundles a pinned Redis that never evicts (the queue lives there)', () => {
    const redis = container(objects, '-redis');
    expect(redis.image).toBe('docker.io/library/redis:7.2.4-alpine');
    expect(redis.args?.join(' ')).toContain('--maxmemory-policy noeviction');
  });

  it('registers the ValidatingWebhookConfiguration the contract asks for', () => {
    const webhook = webhookOf(objects);
    expect(webhook).toMatchObject({
      name: 'images.scangate.io',
      admissionReviewVersions: ['v1', 'v1beta1'],
      sideEffects: 'NoneOnDryRun',
      matchPolicy: 'Equivalent',
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      clientConfig: { service: { namespace: NAMESPACE, name: WEBHOOK_SERVICE, path: '/validate', port: 443 } },
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NAMESPACE] },
        ],
      },
    });
    const resources = webhook.rules.flatMap((rule) =>
      rule.resources.map((resource) => `${rule.apiGroups[0] ?? ''}/${resource}:${rule.operations.join('+')}`),
    );
    expect(resources.sort()).toEqual(
      [
        '/pods:CREATE+UPDATE',
        '/podtemplates:CREATE+UPDATE',
        '/replicationcontrollers:CREATE+UPDATE',
        '/pods/ephemeralcontainers:UPDATE',
        'apps/deployments:CREATE+UPDATE',
        'apps/replicasets:CREATE+UPDATE',
        'apps/statefulsets:CREATE+UPDATE',
        'apps/daemonsets:CREATE+UPDATE',
        'batch/jobs:CREATE+UPDATE',
        'batch/cronjobs:CREATE+UPDATE',
      ].sort(),
    );
  });

  it('renders the same webhook as `scangate webhook manifest` for the same Service and CA', () => {
    const tls = findObject(objects, 'Secret', '-webhook-tls') as Secret;
    const caFile = join(scratch, 'ca.crt');
    writeFileSync(caFile, decode(tls.data['ca.crt'] ?? ''));
    const cli = runCli([
      'webhook',
      'manifest',
      '--service',
      WEBHOOK_SERVICE,
      '--namespace',
      NAMESPACE,
      '--ca-file',
      caFile,
      '--name',
      FULLNAME,
      '-o',
      'json',
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const manifest = JSON.parse(cli.stdout) as { metadata: { name: string }; webhooks: Webhook[] };
    const rendered = findObject(objects, 'ValidatingWebhookConfiguration') as KubeObject & { webhooks: Webhook[] };
    expect(rendered.metadata.name).toBe(manifest.metadata.name);
    expect(rendered.webhooks).toEqual(manifest.webhooks);
  });

  it('generates a CA and a serving certificate for the Service, and the caBundle is that CA', () => {
    const tls = findObject(objects, 'Secret', '-webhook-tls') as Secret;
    expect(tls['type']).toBe('kubernetes.io/tls');
    const ca = new X509Certificate(decode(tls.data['ca.crt'] ?? ''));
    const serving = new X509Certificate(decode(tls.data['tls.crt'] ?? ''));
    expect(ca.ca).toBe(true);
    expect(serving.checkIssued(ca)).toBe(true);
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.subjectAltName).toContain(`DNS:${WEBHOOK_SERVICE}.${NAMESPACE}.svc`);
    expect(decode(tls.data['tls.key'] ?? '')).toContain('PRIVATE KEY');
    expect(webhookOf(objects).clientConfig.caBundle).toBe(tls.data['ca.crt']);
    const volumes = deployment(objects, '-webhook').spec.template.spec.volumes;
    expect(volumes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'tls', secret: expect.objectContaining({ secretName: tls.metadata.name }) }),
      ]),
    );
  });

  it('writes a config file that @scangate/config accepts, with Redis, TLS and the admin token wired', () => {
    const config = loadRenderedConfig(objects, container(objects, '-webhook'));
    expect(config.redis).toMatchObject({ mode: 'standalone', url: `redis://${FULLNAME}-redis:6379/0` });
    expect(config.server.port).toBe(8443);
    expect(config.admin.port).toBe(8081);
    expect(config.admission.mode).toBe('enforce');
  });
});

describe('the rendered release runs scangate', () => {
  let redis: TestRedis | undefined;
  let webhook: RunningWebhook | undefined;

  afterAll(async () => {
    await webhook?.close();
    await redis?.dispose();
  });

  it('serves /readyz with the generated certificate, trusted through the caBundle under the Service name, and the admin API with the token', async () => {
    requireRedisBinaries();
    redis = await startRedis({ args: ['--maxmemory-policy', 'noeviction'] });
    const objects = await helm.template({});
    // Only the Redis address changes: the bundled Service name does not resolve here.
    const config = loadRenderedConfig(objects, container(objects, '-webhook'), { SCANGATE_REDIS_URL: redis.url });
    webhook = await startWebhook({
      config,
      logger: createLogger('silent'),
      dataDir: mkdtempSync(join(scratch, 'data-')),
      port: 0,
      adminPort: 0,
      host: '127.0.0.1',
    });

    const caBundle = decode(webhookOf(objects).clientConfig.caBundle ?? '');
    const ready = await httpsGet(webhook.port, '/readyz', {
      ca: caBundle,
      servername: `${WEBHOOK_SERVICE}.${NAMESPACE}.svc`,
    });
    expect(ready.status).toBe(200);
    // A name the certificate does not cover is refused: the SAN list is what the API server checks.
    await expect(httpsGet(webhook.port, '/readyz', { ca: caBundle, servername: 'elsewhere.example' })).rejects.toThrow(
      /altnames|Hostname/i,
    );

    const token = decode((findObject(objects, 'Secret', '-secrets') as Secret).data['admin-token'] ?? '');
    expect(token.length).toBeGreaterThanOrEqual(32);
    const verdictsUrl = `${webhook.adminUrl}/admin/v1/verdicts?image=docker.io/library/nginx:1.27`;
    expect((await fetch(verdictsUrl)).status).toBe(401);
    expect((await fetch(verdictsUrl, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});

function httpsGet(port: number, path: string, tls: { ca: string; servername: string }): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port, path, method: 'GET', ca: tls.ca, servername: tls.servername, timeout: 10_000 },
      (response) => {
        response.resume();
        response.once('end', () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    request.once('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.once('error', reject);
    request.end();
  });
}

describe('helm template with an analyzer', () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await helm.template({ ...CLAIR_VALUES, serviceMonitor: { enabled: true } });
  });

  it('runs the worker with its /metrics port probed, and a metrics Service', () => {
    const worker = container(objects, '-worker');
    expect(worker.args).toEqual(['worker', '--config', '/etc/scangate/config/config.yaml']);
    expect(worker.ports).toEqual([expect.objectContaining({ name: 'metrics', containerPort: 9464 })]);
    expect(worker.livenessProbe?.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    expect(worker.readinessProbe?.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
    // The worker shares the config but not the serving key.
    expect(deployment(objects, '-worker').spec.template.spec.volumes.map((volume) => volume.name)).not.toContain('tls');
    expect(findObject(objects, 'Service', '-worker-metrics')).toBeDefined();
    expect(findObject(objects, 'NetworkPolicy', '-worker')).toBeDefined();
  });

  it('gives Clair its PSK and notifier token as files, and the config loads for both processes', () => {
    const secrets = findObject(objects, 'Secret', '-secrets') as Secret;
    expect(Object.keys(secrets.data).sort()).toEqual(['admin-token', 'clair-notifier-token', 'clair-psk']);
    expect(decode(secrets.data['clair-psk'] ?? '')).toBe(CLAIR_VALUES.analyzer.clair.psk);
    for (const suffix of ['-webhook', '-worker']) {
      const config = loadRenderedConfig(objects, container(objects, suffix));
      expect(config.analyzer).toMatchObject({
        type: 'clair',
        clair: { url: 'http://clair.clair:6060', psk: CLAIR_VALUES.analyzer.clair.psk },
      });
    }
  });

  it('scrapes the admin and worker metrics ports with a ServiceMonitor', () => {
    const monitor = findObject(objects, 'ServiceMonitor') as KubeObject & {
      spec: { endpoints: { port: string; path: string }[] };
    };
    expect(monitor.spec.endpoints.map((endpoint) => `${endpoint.port}${endpoint.path}`).sort()).toEqual([
      'admin/metrics',
      'metrics/metrics',
    ]);
  });
});

describe('TLS modes', () => {
  it('certManager: a Certificate for the Service and the CA injected by annotation, no generated Secret', async () => {
    const objects = await helm.template(TLS_MODES['certManager'] ?? {});
    const certificate = findObject(objects, 'Certificate') as KubeObject & {
      spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string } };
    };
    expect(certificate.spec.dnsNames).toContain(`${WEBHOOK_SERVICE}.${NAMESPACE}.svc`);
    expect(findObject(objects, 'Issuer').metadata.name).toBe(certificate.spec.issuerRef.name);
    const configuration = findObject(objects, 'ValidatingWebhookConfiguration');
    expect(configuration.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(
      `${NAMESPACE}/${certificate.metadata.name}`,
    );
    expect(webhookOf(objects).clientConfig.caBundle).toBeUndefined();
    expect(
      objects.filter((object) => object.kind === 'Secret' && object.metadata.name.endsWith('-webhook-tls')),
    ).toHaveLength(0);
    const volumes = deployment(objects, '-webhook').spec.template.spec.volumes;
    expect(volumes.find((volume) => volume.name === 'tls')?.secret?.secretName).toBe(certificate.spec.secretName);
  });

  it('certManager with an issuerRef of your own creates no Issuer', async () => {
    const objects = await helm.template({
      tls: { mode: 'certManager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } },
    });
    expect(objects.filter((object) => object.kind === 'Issuer')).toHaveLength(0);
    expect(
      (findObject(objects, 'Certificate') as KubeObject & { spec: { issuerRef: unknown } }).spec.issuerRef,
    ).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer' });
  });

  it('existingSecret: mounts the named Secret and uses the given caBundle', async () => {
    const objects = await helm.template(TLS_MODES['existingSecret'] ?? {});
    expect(webhookOf(objects).clientConfig.caBundle).toBe(EXISTING_SECRET_CA);
    const volumes = deployment(objects, '-webhook').spec.template.spec.volumes;
    expect(volumes.find((volume) => volume.name === 'tls')?.secret?.secretName).toBe('my-webhook-tls');
    expect(
      objects.filter(
        (object) => ['Certificate', 'Issuer'].includes(object.kind) || object.metadata.name.endsWith('-webhook-tls'),
      ),
    ).toHaveLength(0);
  });

  it('existingSecret without a caBundle (and no cluster to read ca.crt from) fails naming the key', async () => {
    await expect(
      helm.template({ tls: { mode: 'existingSecret', existingSecret: { name: 'my-webhook-tls' } } }),
    ).rejects.toThrow(/tls\.existingSecret\.caBundle is required/);
  });
});

describe('values.schema.json and template checks reject bad values with a message naming the key', () => {
  it.each([
    [{ admission: { mode: 'block' } }, /at '\/admission\/mode': value must be one of 'enforce', 'warn', 'audit'/],
    [{ webhook: { failurePolicy: 'Allow' } }, /at '\/webhook\/failurePolicy': value must be one of 'Fail', 'Ignore'/],
    [{ webhook: { timeoutSeconds: 31 } }, /at '\/webhook\/timeoutSeconds': maximum: got 31, want 30/],
    [{ webhook: { replicas: 0 } }, /at '\/webhook\/replicas': minimum: got 0, want 1/],
    [
      { tls: { mode: 'selfsigned' } },
      /at '\/tls\/mode': value must be one of 'generated', 'certManager', 'existingSecret'/,
    ],
    [{ image: { tag: 'latest' } }, /at '\/image\/tag'/],
    [{ analyzer: { type: 'clair' } }, /at '\/analyzer\/clair\/url'/],
    [{ redis: { bundled: false } }, /at '\/redis\/url'/],
    [{ admissoin: { mode: 'warn' } }, /additional properties 'admissoin' not allowed/],
    [
      { admission: { waitBudgetMs: 10000 } },
      /admission\.waitBudgetMs \(10000\) must be below webhook\.timeoutSeconds \(10 s\)/,
    ],
  ])('%j', async (values, message) => {
    await expect(helm.template(values)).rejects.toThrow(message);
  });
});

/**
 * Loads the rendered config.yaml as the container would: its environment applied, the mounted
 * files (TLS, secrets) replaced by temp files holding the rendered Secret's values.
 */
function loadRenderedConfig(
  objects: readonly KubeObject[],
  target: Container,
  extraEnv: Record<string, string> = {},
): ReturnType<typeof loadConfig>['config'] {
  const configMap = findObject(objects, 'ConfigMap', '-config') as KubeObject & { data: Record<string, string> };
  const dir = mkdtempSync(join(scratch, 'config-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, configMap.data['config.yaml'] ?? '');
  const secrets = (findObject(objects, 'Secret', '-secrets') as Secret).data;
  const env: Record<string, string> = {};
  // The serving certificate and key, as the tls volume mounts them (generated mode: the rendered Secret).
  const tls = objects.find((object) => object.kind === 'Secret' && object.metadata.name.endsWith('-webhook-tls')) as
    Secret | undefined;
  for (const variable of target.env ?? []) {
    if (variable.value === undefined) continue;
    const mounted = /^\/etc\/scangate\/tls\/(.+)$/.exec(variable.value)?.[1];
    const local = join(dir, variable.value.replaceAll('/', '_'));
    writeFileSync(
      local,
      mounted !== undefined && tls !== undefined
        ? decode(tls.data[mounted] ?? '')
        : 'PEM placeholder: only readability is checked',
    );
    env[variable.name] = local;
  }
  const secretFiles: Record<string, string> = {
    'admin-token': 'SCANGATE_ADMIN_TOKENFILE',
    'clair-psk': 'SCANGATE_ANALYZER_CLAIR_PSKFILE',
    'clair-notifier-token': 'SCANGATE_ANALYZER_CLAIR_NOTIFIER_TOKENFILE',
    'anchore-password': 'SCANGATE_ANALYZER_ANCHORE_PASSWORDFILE',
  };
  for (const [key, value] of Object.entries(secrets)) {
    const variable = secretFiles[key];
    if (variable === undefined) throw new Error(`the chart's Secret has a key no config file key reads: ${key}`);
    const local = join(dir, key);
    writeFileSync(local, decode(value));
    env[variable] = local;
  }
  const loaded = loadConfig({ file, env: { ...env, ...extraEnv } });
  expect(loaded.adminTokenGenerated).toBe(false);
  return loaded.config;
}

describe('against a real kube-apiserver', () => {
  let cluster: KubeApiserver | undefined;
  let kubeconfig: string;

  const kubectl = async (args: readonly string[], input?: string): Promise<string> => {
    if (cluster === undefined) throw new Error('kube-apiserver did not start');
    const result = await cluster.kubectl(args, input);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
    return result.stdout;
  };
  const getJson = async <T>(args: readonly string[]): Promise<T> =>
    JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;

  /**
   * helm uninstall, and the ValidatingWebhookConfiguration is gone. An installed release's webhook
   * gates every other namespace: with no pods behind its Service the API server would dial the
   * Service's cluster IP, which is not on loopback, so no release outlives its test.
   */
  const uninstall = async (release: string, namespace: string): Promise<void> => {
    const result = await helm.run([
      'uninstall',
      release,
      '--namespace',
      namespace,
      '--kubeconfig',
      kubeconfig,
      '--wait=false',
    ]);
    expect(result.code).toBe(0);
    expect(await kubectl(['get', 'validatingwebhookconfigurations', '-o', 'name'])).toBe('');
  };

  beforeAll(async () => {
    cluster = await startKubeApiserver();
    kubeconfig = cluster.kubeconfig;
    await kubectl(['apply', '-f', '-'], MINIMAL_CRDS);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/certificates.cert-manager.io',
      'crd/issuers.cert-manager.io',
      'crd/servicemonitors.monitoring.coreos.com',
    ]);
    await kubectl(['create', 'namespace', NAMESPACE]);
  }, 180_000);

  // Even when a test failed before its uninstall: no webhook may stay registered for the next one.
  afterEach(async () => {
    if (cluster !== undefined)
      await cluster.kubectl(['delete', 'validatingwebhookconfigurations', '--all', '--wait=false']);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it.each(Object.keys(TLS_MODES))(
    'accepts every object rendered with TLS mode %s (server-side dry run)',
    async (mode) => {
      const values = { ...CLAIR_VALUES, serviceMonitor: { enabled: true }, ...TLS_MODES[mode] };
      const rendered = await helm.run([
        'template',
        RELEASE,
        CHART_DIR,
        '--namespace',
        NAMESPACE,
        '-f',
        helm.valuesFile(values),
      ]);
      expect(rendered.code).toBe(0);
      const objects = parseManifests(rendered.stdout);
      const output = await kubectl(['apply', '--dry-run=server', '-f', '-'], rendered.stdout);
      // One "created (server dry run)" line per object: nothing was skipped.
      expect(output.trim().split('\n')).toHaveLength(objects.length);
      expect(output).toContain(
        'validatingwebhookconfiguration.admissionregistration.k8s.io/gate-scangate created (server dry run)',
      );
    },
  );

  it('installs with helm, and an upgrade keeps the generated certificate, its caBundle and the admin token', async () => {
    const install = await helm.run([
      'install',
      RELEASE,
      CHART_DIR,
      '--namespace',
      NAMESPACE,
      '--kubeconfig',
      kubeconfig,
      '--wait=false',
      '-f',
      helm.valuesFile(CLAIR_VALUES),
    ]);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(install.stdout).toContain('STATUS: deployed');
    expect(install.stdout).toContain('kubectl -n scangate-check run nginx --image=nginx:latest');

    const before = await getJson<Secret>(['-n', NAMESPACE, 'secret', `${FULLNAME}-webhook-tls`]);
    const secretsBefore = await getJson<Secret>(['-n', NAMESPACE, 'secret', `${FULLNAME}-secrets`]);
    const configurationBefore = await getJson<{ webhooks: Webhook[] }>(['validatingwebhookconfiguration', FULLNAME]);
    expect(configurationBefore.webhooks[0]?.clientConfig.caBundle).toBe(before.data['ca.crt']);

    const upgrade = await helm.run([
      'upgrade',
      RELEASE,
      CHART_DIR,
      '--namespace',
      NAMESPACE,
      '--kubeconfig',
      kubeconfig,
      '--wait=false',
      '-f',
      helm.valuesFile({ ...CLAIR_VALUES, admission: { mode: 'warn' } }),
    ]);
    expect(upgrade.stderr).toBe('');
    expect(upgrade.code).toBe(0);

    const after = await getJson<Secret>(['-n', NAMESPACE, 'secret', `${FULLNAME}-webhook-tls`]);
    expect(after.data).toEqual(before.data);
    const secretsAfter = await getJson<Secret>(['-n', NAMESPACE, 'secret', `${FULLNAME}-secrets`]);
    expect(secretsAfter.data['admin-token']).toBe(secretsBefore.data['admin-token']);
    expect(secretsAfter.data['clair-notifier-token']).toBe(secretsBefore.data['clair-notifier-token']);
    const configurationAfter = await getJson<{ webhooks: Webhook[] }>(['validatingwebhookconfiguration', FULLNAME]);
    expect(configurationAfter.webhooks[0]?.clientConfig.caBundle).toBe(before.data['ca.crt']);
    const configMap = await getJson<{ data: Record<string, string> }>([
      '-n',
      NAMESPACE,
      'configmap',
      `${FULLNAME}-config`,
    ]);
    expect(configMap.data['config.yaml']).toContain('mode: warn');
    const webhook = await getJson<Deployment>(['-n', NAMESPACE, 'deployment', `${FULLNAME}-webhook`]);
    expect(webhook.spec.replicas).toBe(2);

    await uninstall(RELEASE, NAMESPACE);
  }, 180_000);

  it('installs with cert-manager TLS and a ServiceMonitor once their CRDs exist', async () => {
    const namespace = 'scangate-cm';
    await kubectl(['create', 'namespace', namespace]);
    const values = { ...TLS_MODES['certManager'], serviceMonitor: { enabled: true } };
    const install = await helm.run([
      'install',
      'cm',
      CHART_DIR,
      '--namespace',
      namespace,
      '--kubeconfig',
      kubeconfig,
      '--wait=false',
      '-f',
      helm.valuesFile(values),
    ]);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    const certificate = await getJson<{ spec: { secretName: string } }>([
      '-n',
      namespace,
      'certificate',
      'cm-scangate-webhook',
    ]);
    expect(certificate.spec.secretName).toBe('cm-scangate-webhook-tls');
    const configuration = await getJson<KubeObject>(['validatingwebhookconfiguration', 'cm-scangate']);
    expect(configuration.metadata.annotations?.['cert-manager.io/inject-ca-from']).toBe(
      `${namespace}/cm-scangate-webhook`,
    );

    await uninstall('cm', namespace);
  }, 180_000);
});

/** Just enough of cert-manager's and the Prometheus operator's CRDs for the API server to store their objects. */
const MINIMAL_CRDS = [
  ['cert-manager.io', 'certificates', 'Certificate', 'certificate'],
  ['cert-manager.io', 'issuers', 'Issuer', 'issuer'],
  ['monitoring.coreos.com', 'servicemonitors', 'ServiceMonitor', 'servicemonitor'],
]
  .map(
    ([group, plural, kind, singular]) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: { plural: ${plural}, singular: ${singular}, kind: ${kind} }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`,
  )
  .join('---\n');
