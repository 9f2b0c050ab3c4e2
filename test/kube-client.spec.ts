import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createCertificateAuthority, issueCertificate } from '@scangate/webhook';
import type { PemPair } from '@scangate/webhook';
import { KubeClient } from '../apps/cli/src/kube/kube-client';
import { loadKubeConnection } from '../apps/cli/src/kube/kubeconfig';
import { registerWebhookConfiguration } from '../apps/cli/src/kube/register-webhook';
import { buildValidatingWebhookConfiguration } from '../apps/cli/src/kube/validating-webhook-configuration';
import type { KubeApiserver } from './harness/kube-apiserver';
import { startKubeApiserver } from './harness/kube-apiserver';
import { tempDir } from './harness/webhook-harness';

// scangate's Kubernetes client against a real kube-apiserver, with every way a kubeconfig (or a
// Pod) can authenticate: client certificate (files or data), token, token file, exec plugins
// (v1, v1beta1), the in-cluster service account. SelfSubjectReview tells who the server saw.

type Json = Record<string, unknown>;

describe('the Kubernetes client against a real kube-apiserver', () => {
  const dir = tempDir('kube-client');
  let kube: KubeApiserver | undefined;
  let serverCA: string;
  let token: string;
  let admin: PemPair;

  const write = (name: string, content: string, mode = 0o600): string => {
    const file = join(dir, name);
    writeFileSync(file, content, { mode });
    return file;
  };

  /** A kubeconfig with one context `main` (cluster `c`, user `u`). */
  const kubeconfig = (name: string, cluster: Json, user: Json): string =>
    write(
      name,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: kube!.url, ...cluster } }],
        users: [{ name: 'u', user }],
        contexts: [{ name: 'main', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'main',
      }),
    );

  const caData = (): Json => ({ 'certificate-authority-data': Buffer.from(serverCA).toString('base64') });

  /** The user name the API server authenticated. */
  async function whoAmI(client: KubeClient): Promise<string> {
    const review = await client.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(review.status).toBe(201);
    return ((review.body as Json)['status'] as { userInfo: { username: string } }).userInfo.username;
  }

  const clientFor = (file: string, context?: string): KubeClient =>
    new KubeClient(loadKubeConnection({ kubeconfig: file, ...(context !== undefined ? { context } : {}), env: {} }));

  beforeAll(async () => {
    const clients = await createCertificateAuthority('kube-client test client CA');
    admin = await issueCertificate(clients, {
      commonName: 'cert-admin',
      names: [],
      usage: 'client',
      organizations: ['system:masters'],
    });
    kube = await startKubeApiserver({ extraFlags: [`--client-ca-file=${write('client-ca.crt', clients.certPem)}`] });
    const harness = parse(readFileSync(kube.kubeconfig, 'utf8')) as {
      clusters: { cluster: { 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    serverCA = Buffer.from(harness.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString();
    token = harness.users[0]!.user.token;
  }, 120_000);

  afterAll(async () => {
    await kube?.stop();
  });

  it('authenticates with client certificate files, relative to the kubeconfig', async () => {
    write('admin.crt', admin.certPem);
    write('admin.key', admin.keyPem);
    write('server-ca.crt', serverCA);
    const file = kubeconfig(
      'cert-files',
      { 'certificate-authority': 'server-ca.crt' },
      { 'client-certificate': 'admin.crt', 'client-key': 'admin.key' },
    );
    expect(await whoAmI(clientFor(file))).toBe('cert-admin');
  });

  it('authenticates with inline client certificate data', async () => {
    const user = {
      'client-certificate-data': Buffer.from(admin.certPem).toString('base64'),
      'client-key-data': Buffer.from(admin.keyPem).toString('base64'),
    };
    expect(await whoAmI(clientFor(kubeconfig('cert-data', caData(), user)))).toBe('cert-admin');
  });

  it('authenticates with a token and with a token file', async () => {
    expect(await whoAmI(clientFor(kubeconfig('token', caData(), { token })))).toBe('scangate-admin');
    write('token.txt', `${token}\n`);
    expect(await whoAmI(clientFor(kubeconfig('token-file', caData(), { tokenFile: 'token.txt' })))).toBe(
      'scangate-admin',
    );
  });

  it.each([
    ['client.authentication.k8s.io/v1', 'token'],
    ['client.authentication.k8s.io/v1beta1', 'certificate'],
  ])('runs an exec credential plugin (%s, %s)', async (apiVersion, kind) => {
    // The plugin checks it was told its apiVersion, as kubectl tells it, then answers.
    const status = kind === 'token' ? { token } : { clientCertificateData: admin.certPem, clientKeyData: admin.keyPem };
    const plugin = write(
      `plugin-${kind}.js`,
      [
        'const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);',
        `if (info.apiVersion !== ${JSON.stringify(apiVersion)} || process.env.PLUGIN_FLAG !== 'set') process.exit(3);`,
        `process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: ${JSON.stringify(status)} }));`,
      ].join('\n'),
      0o700,
    );
    chmodSync(plugin, 0o700);
    const exec = {
      apiVersion,
      command: process.execPath,
      args: [plugin],
      env: [{ name: 'PLUGIN_FLAG', value: 'set' }],
    };
    expect(await whoAmI(clientFor(kubeconfig(`exec-${kind}`, caData(), { exec })))).toBe(
      kind === 'token' ? 'scangate-admin' : 'cert-admin',
    );
  });

  it('uses the in-cluster service account when there is no kubeconfig', async () => {
    const accountDir = tempDir('serviceaccount');
    writeFileSync(join(accountDir, 'token'), token);
    writeFileSync(join(accountDir, 'ca.crt'), serverCA);
    const port = new URL(kube!.url).port;
    const connection = loadKubeConnection({
      env: { HOME: tempDir('no-home'), KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
      serviceAccountDir: accountDir,
    });
    expect(connection.source).toBe('in-cluster service account');
    expect(await whoAmI(new KubeClient(connection))).toBe('scangate-admin');
  });

  it('checks the server certificate unless insecure-skip-tls-verify says not to', async () => {
    const unverified = clientFor(kubeconfig('no-ca', {}, { token }));
    await expect(unverified.request('GET', '/version')).rejects.toThrow(/self-signed|unable to (get|verify)/);
    const skipping = clientFor(kubeconfig('skip-verify', { 'insecure-skip-tls-verify': true }, { token }));
    expect(await whoAmI(skipping)).toBe('scangate-admin');
  });

  it('picks --context over current-context, and the first $KUBECONFIG file that names an entry', async () => {
    const two = write(
      'two-contexts',
      stringify({
        clusters: [{ name: 'c', cluster: { server: kube!.url, ...caData() } }],
        users: [
          { name: 'token-user', user: { token } },
          {
            name: 'cert-user',
            user: {
              'client-certificate-data': Buffer.from(admin.certPem).toString('base64'),
              'client-key-data': Buffer.from(admin.keyPem).toString('base64'),
            },
          },
        ],
        contexts: [
          { name: 'by-token', context: { cluster: 'c', user: 'token-user' } },
          { name: 'by-cert', context: { cluster: 'c', user: 'cert-user' } },
        ],
        'current-context': 'by-token',
      }),
    );
    expect(await whoAmI(clientFor(two))).toBe('scangate-admin');
    expect(await whoAmI(clientFor(two, 'by-cert'))).toBe('cert-admin');

    const override = write(
      'override',
      stringify({ users: [{ name: 'token-user', user: { token: 'wrong' } }], 'current-context': 'by-cert' }),
    );
    const merged = loadKubeConnection({ env: { KUBECONFIG: `${override}:${two}` } });
    expect(merged.source).toBe(`kubeconfig ${override}:${two}, context by-cert`);
    expect(await whoAmI(new KubeClient(merged))).toBe('cert-admin');
  });

  it('registers a Service-backed configuration the API server accepts, then updates it', async () => {
    const client = clientFor(kube!.kubeconfig);
    const options = {
      name: 'scangate-service',
      target: { kind: 'service', name: 'scangate', namespace: 'scangate-system', path: '/validate', port: 443 },
      caPem: serverCA,
      failurePolicy: 'Ignore',
      timeoutSeconds: 10,
      waitBudgetMs: 8000,
      exemptNamespaces: ['kube-system'],
    } as const;
    expect(await registerWebhookConfiguration(client, buildValidatingWebhookConfiguration(options))).toBe('created');
    expect(await registerWebhookConfiguration(client, buildValidatingWebhookConfiguration(options))).toBe('unchanged');
    expect(
      await registerWebhookConfiguration(
        client,
        buildValidatingWebhookConfiguration({ ...options, timeoutSeconds: 12 }),
      ),
    ).toBe('updated');
    const stored = await kube!.kubectl([
      'get',
      'validatingwebhookconfiguration',
      'scangate-service',
      '-o',
      'jsonpath={.webhooks[0].timeoutSeconds} {.webhooks[0].clientConfig.service.name}',
    ]);
    expect(stored).toMatchObject({ code: 0, stdout: '12 scangate' });
    expect(await kube!.kubectl(['delete', 'validatingwebhookconfiguration', 'scangate-service'])).toMatchObject({
      code: 0,
    });
  });
});
