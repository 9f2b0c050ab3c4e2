import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createCertificateAuthority, issueCertificate } from '@scangate/webhook';
import { contains } from '../apps/cli/src/kube/register-webhook';
import type { WebhookManifestOptions } from '../apps/cli/src/kube/validating-webhook-configuration';
import {
  WEBHOOK_NAME,
  buildValidatingWebhookConfiguration,
  manifestProblems,
} from '../apps/cli/src/kube/validating-webhook-configuration';
import { runCli } from './harness/cli';
import { kubernetesObjectViolations } from './harness/kube-schemas';
import { tempDir } from './harness/webhook-harness';

// The ValidatingWebhookConfiguration of `scangate webhook manifest` (CONTRACTS §4.4), checked
// against the Kubernetes OpenAPI (strict) and the API server's own field rules.

describe('the ValidatingWebhookConfiguration builder', () => {
  let caPem: string;
  let leafPem: string;
  let base: WebhookManifestOptions;

  beforeAll(async () => {
    const ca = await createCertificateAuthority('manifest test CA');
    caPem = ca.certPem;
    leafPem = (await issueCertificate(ca, { commonName: 'x', names: ['x'], usage: 'server' })).certPem;
    base = {
      name: 'scangate',
      target: { kind: 'service', name: 'scangate', namespace: 'scangate-system', path: '/validate', port: 443 },
      caPem,
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      waitBudgetMs: 8000,
      exemptNamespaces: ['kube-system', 'monitoring'],
    };
  });

  it('is a valid admissionregistration.k8s.io/v1 object for a Service', () => {
    const manifest = buildValidatingWebhookConfiguration(base);
    expect(kubernetesObjectViolations(manifest)).toEqual([]);
    const [webhook] = manifest.webhooks;
    expect(webhook).toMatchObject({
      name: WEBHOOK_NAME,
      clientConfig: { service: { namespace: 'scangate-system', name: 'scangate', path: '/validate', port: 443 } },
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      sideEffects: 'NoneOnDryRun',
      timeoutSeconds: 10,
      admissionReviewVersions: ['v1', 'v1beta1'],
      namespaceSelector: {
        matchExpressions: [
          {
            key: 'kubernetes.io/metadata.name',
            operator: 'NotIn',
            values: ['kube-system', 'monitoring', 'scangate-system'],
          },
        ],
      },
    });
    expect(Buffer.from(webhook!.clientConfig.caBundle, 'base64').toString()).toBe(caPem);
    // The schema check is not vacuous: a misspelt field fails it.
    expect(kubernetesObjectViolations({ ...manifest, webhooks: [{ ...webhook, sideEffect: 'None' }] })).toEqual([
      'webhooks[0]: must NOT have additional properties (sideEffect)',
    ]);
  });

  it('sends pods, pods/ephemeralcontainers and every workload kind of PRODUCT §3.2', () => {
    const covered = buildValidatingWebhookConfiguration(base).webhooks[0]!.rules.flatMap((rule) =>
      rule.resources.flatMap((resource) =>
        rule.operations.map((operation) => `${rule.apiGroups[0]}/${resource} ${operation}`),
      ),
    );
    expect(covered.sort()).toEqual(
      [
        '/pods CREATE',
        '/pods UPDATE',
        '/pods/ephemeralcontainers UPDATE',
        '/podtemplates CREATE',
        '/podtemplates UPDATE',
        '/replicationcontrollers CREATE',
        '/replicationcontrollers UPDATE',
        'apps/daemonsets CREATE',
        'apps/daemonsets UPDATE',
        'apps/deployments CREATE',
        'apps/deployments UPDATE',
        'apps/replicasets CREATE',
        'apps/replicasets UPDATE',
        'apps/statefulsets CREATE',
        'apps/statefulsets UPDATE',
        'batch/cronjobs CREATE',
        'batch/cronjobs UPDATE',
        'batch/jobs CREATE',
        'batch/jobs UPDATE',
      ].sort(),
    );
    // apiVersions * : batch/v1beta1 CronJobs of older clusters are sent as well.
    expect(
      buildValidatingWebhookConfiguration(base).webhooks[0]!.rules.every((rule) => rule.apiVersions.join() === '*'),
    ).toBe(true);
  });

  it('points at a URL outside the cluster, and selects every namespace when none is excluded', () => {
    const manifest = buildValidatingWebhookConfiguration({
      ...base,
      target: { kind: 'url', url: 'https://10.0.0.5:8443/validate' },
      exemptNamespaces: [],
      failurePolicy: 'Ignore',
    });
    expect(kubernetesObjectViolations(manifest)).toEqual([]);
    expect(manifest.webhooks[0]).toMatchObject({
      clientConfig: { url: 'https://10.0.0.5:8443/validate' },
      failurePolicy: 'Ignore',
      namespaceSelector: {},
    });
    expect(manifest.webhooks[0]!.clientConfig).not.toHaveProperty('service');
  });

  it('leaves * patterns to scangate (a label selector cannot express them)', () => {
    const manifest = buildValidatingWebhookConfiguration({ ...base, exemptNamespaces: ['team-*', 'kube-system'] });
    expect(manifest.webhooks[0]!.namespaceSelector).toEqual({
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'scangate-system'] },
      ],
    });
  });

  it.each<[string, Partial<WebhookManifestOptions>, string]>([
    [
      'a timeout not above the wait budget',
      { timeoutSeconds: 8 },
      '--timeout-seconds 8 must exceed admission.waitBudgetMs (8000 ms): the API server would give up before scangate answers; use at least 9 or lower admission.waitBudgetMs',
    ],
    ['a timeout above 30 s', { timeoutSeconds: 31 }, '--timeout-seconds must be a whole number from 1 to 30 (got 31)'],
    [
      'a plain-HTTP URL',
      { target: { kind: 'url', url: 'http://scangate.example/validate' } },
      '--url must use https://',
    ],
    ['a URL with a query', { target: { kind: 'url', url: 'https://h/validate?x=1' } }, '--url must not carry a ?query'],
    [
      'a URL with credentials',
      { target: { kind: 'url', url: 'https://u:p@h/validate' } },
      '--url must not carry user:password',
    ],
    [
      'a URL with a fragment',
      { target: { kind: 'url', url: 'https://h/validate#x' } },
      '--url must not carry a #fragment',
    ],
    [
      'a bad port',
      { target: { kind: 'service', name: 's', namespace: 'n', path: '/validate', port: 0 } },
      '--port must be from 1 to 65535 (got 0)',
    ],
    [
      'an invalid object name',
      { name: 'Scangate!' },
      '--name "Scangate!" is not a valid object name (lower-case DNS subdomain)',
    ],
  ])('refuses %s', (_label, change, problem) => {
    expect(manifestProblems({ ...base, ...change })).toEqual([problem]);
  });

  it('refuses a serving certificate in place of the CA', () => {
    expect(manifestProblems({ ...base, caPem: leafPem })).toEqual([
      '--ca-file holds a certificate that is not a CA (basicConstraints CA:TRUE): pass ca.crt, not tls.crt',
    ]);
    expect(manifestProblems({ ...base, caPem: 'not a certificate' })).toEqual([
      '--ca-file does not hold a PEM certificate',
    ]);
  });
});

describe('register: what counts as unchanged', () => {
  it('ignores fields the server added, not fields that differ', () => {
    const desired = { webhooks: [{ failurePolicy: 'Fail', namespaceSelector: {}, rules: [{ scope: 'Namespaced' }] }] };
    const served = {
      webhooks: [
        { failurePolicy: 'Fail', namespaceSelector: {}, rules: [{ scope: 'Namespaced' }], matchPolicy: 'Equivalent' },
      ],
    };
    expect(contains(served, desired)).toBe(true);
    expect(contains({ webhooks: [{ ...served.webhooks[0], failurePolicy: 'Ignore' }] }, desired)).toBe(false);
    expect(
      contains({ webhooks: [{ ...served.webhooks[0], namespaceSelector: { matchLabels: { a: 'b' } } }] }, desired),
    ).toBe(false);
    expect(contains({ webhooks: [...served.webhooks, ...served.webhooks] }, desired)).toBe(false);
  });
});

describe('scangate webhook manifest', () => {
  const dir = tempDir('webhook-manifest');
  const caFile = join(dir, 'ca.crt');

  beforeAll(async () => {
    writeFileSync(caFile, (await createCertificateAuthority('manifest CLI CA')).certPem);
  });

  const flags = ['--service', 'scangate', '--namespace', 'scangate-system', '--ca-file', caFile];

  it('prints the same object as YAML and as JSON', () => {
    const yaml = runCli(['webhook', 'manifest', ...flags, '--exempt-namespace', 'monitoring']);
    const json = runCli(['webhook', 'manifest', ...flags, '--exempt-namespace', 'monitoring', '--output', 'json']);
    expect(yaml).toMatchObject({ status: 0, stderr: '' });
    expect(json).toMatchObject({ status: 0, stderr: '' });
    const fromYaml = parse(yaml.stdout) as Record<string, unknown>;
    expect(JSON.parse(json.stdout)).toEqual(fromYaml);
    expect(kubernetesObjectViolations(fromYaml)).toEqual([]);
    expect(JSON.stringify(fromYaml)).toContain('"values":["kube-system","monitoring","scangate-system"]');
  });

  it('takes the wait budget and exempt namespaces from --config and says which file bounds the timeout', () => {
    const config = join(dir, 'scangate.yaml');
    writeFileSync(config, stringify({ admission: { waitBudgetMs: 12000, exemptNamespaces: ['kube-system', 'ops'] } }));
    const tooShort = runCli(['webhook', 'manifest', ...flags, '--config', config]);
    expect(tooShort.status).toBe(2);
    expect(tooShort.stderr).toContain(
      `--timeout-seconds 10 must exceed admission.waitBudgetMs from ${config} (12000 ms)`,
    );
    const fine = runCli([
      'webhook',
      'manifest',
      ...flags,
      '--config',
      config,
      '--timeout-seconds',
      '13',
      '--output',
      'json',
    ]);
    expect(fine.status).toBe(0);
    const manifest = JSON.parse(fine.stdout) as { webhooks: { timeoutSeconds: number; namespaceSelector: unknown }[] };
    expect(manifest.webhooks[0]).toMatchObject({
      timeoutSeconds: 13,
      namespaceSelector: { matchExpressions: [{ values: ['kube-system', 'ops', 'scangate-system'] }] },
    });
  });

  it('needs a target and a CA file', () => {
    expect(runCli(['webhook', 'manifest', '--ca-file', caFile])).toMatchObject({
      status: 2,
      stderr: 'scangate: pass --service and --namespace (in the cluster) or --url (outside it)\n',
    });
    expect(runCli(['webhook', 'manifest', '--url', 'https://127.0.0.1:8443/validate'])).toMatchObject({
      status: 2,
      stderr: 'scangate: --ca-file is required (ca.crt of `scangate certs`)\n',
    });
  });
});
