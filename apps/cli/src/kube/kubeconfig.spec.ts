import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseExecCredential } from './exec-credential';
import { KubeConfigError, loadKubeConnection } from './kubeconfig';

describe('loadKubeConnection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scangate-kubeconfig-'));
  const write = (name: string, document: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof document === 'string' ? document : stringify(document));
    return file;
  };
  const config = (
    user: Record<string, unknown>,
    cluster: Record<string, unknown> = { server: 'https://127.0.0.1:6443/' },
  ): Record<string, unknown> => ({
    clusters: [{ name: 'c', cluster }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'main', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'main',
  });
  const load = (file: string, context?: string): ReturnType<typeof loadKubeConnection> =>
    loadKubeConnection({ kubeconfig: file, ...(context !== undefined ? { context } : {}), env: {} });
  const failure = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(KubeConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a KubeConfigError');
  };

  it('reads server, CA data, token and TLS server name; drops a trailing slash', () => {
    const file = write(
      'full',
      config(
        { token: 'abc' },
        {
          server: 'https://127.0.0.1:6443/',
          'certificate-authority-data': Buffer.from('PEM').toString('base64'),
          'tls-server-name': 'kubernetes',
        },
      ),
    );
    expect(load(file)).toEqual({
      server: 'https://127.0.0.1:6443',
      ca: Buffer.from('PEM'),
      insecureSkipTlsVerify: false,
      tlsServerName: 'kubernetes',
      token: 'abc',
      source: `kubeconfig ${file}, context main`,
    });
  });

  it('resolves exec commands with a slash and token files against the kubeconfig directory', () => {
    const file = write(
      'exec',
      config({
        tokenFile: 'tok',
        exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin', args: ['get'] },
      }),
    );
    expect(load(file)).toMatchObject({
      tokenFile: join(dir, 'tok'),
      exec: { apiVersion: 'client.authentication.k8s.io/v1', command: join(dir, 'bin/plugin'), args: ['get'], env: [] },
    });
    const bare = write(
      'bare',
      config({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'gke-gcloud-auth-plugin' } }),
    );
    expect(load(bare).exec?.command).toBe('gke-gcloud-auth-plugin');
  });

  it.each<[string, unknown, string | undefined, RegExp]>([
    ['an unknown context', config({}), 'other', /no context named "other"/],
    ['no current-context', { ...config({}), 'current-context': '' }, undefined, /no current-context; pass --context/],
    ['an undefined cluster', { ...config({}), clusters: [] }, undefined, /names cluster "c", which is not defined/],
    ['a cluster without server', config({}, {}), undefined, /cluster c has no server/],
    [
      'a certificate without its key',
      config({ 'client-certificate-data': 'eA==' }),
      undefined,
      /needs both a client certificate and its key/,
    ],
    [
      'a missing certificate file',
      config({ 'client-certificate': 'nope.crt', 'client-key': 'nope.key' }),
      undefined,
      /client-certificate .*nope\.crt: ENOENT/,
    ],
    [
      'an old exec apiVersion',
      config({ exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } }),
      undefined,
      /exec apiVersion "client.authentication.k8s.io\/v1alpha1" is not supported/,
    ],
    ['not a mapping', '- a\n- b\n', undefined, /not a YAML mapping/],
  ])('refuses %s with a message naming it', (_label, document, context, message) => {
    const file = write(`bad-${Math.random().toString(36).slice(2)}`, document);
    expect(failure(() => load(file, context))).toMatch(message);
  });

  it('says where it looked when there is neither a kubeconfig nor a Pod', () => {
    expect(failure(() => loadKubeConnection({ env: { HOME: dir } }))).toBe(
      'no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a Pod (KUBERNETES_SERVICE_HOST unset)',
    );
    expect(failure(() => loadKubeConnection({ kubeconfig: join(dir, 'absent'), env: {} }))).toBe(
      `kubeconfig ${join(dir, 'absent')} does not exist`,
    );
  });

  it('brackets an IPv6 service host in-cluster', () => {
    const accountDir = mkdtempSync(join(tmpdir(), 'scangate-sa-'));
    writeFileSync(join(accountDir, 'token'), 't');
    const connection = loadKubeConnection({
      env: { HOME: dir, KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: accountDir,
    });
    expect(connection).toMatchObject({ server: 'https://[fd00::1]:443', tokenFile: join(accountDir, 'token') });
  });
});

describe('parseExecCredential', () => {
  const config = { apiVersion: 'client.authentication.k8s.io/v1', command: 'plugin' } as const;

  it('reads a token and its expiry', () => {
    const out = JSON.stringify({
      apiVersion: config.apiVersion,
      kind: 'ExecCredential',
      status: { token: 't', expirationTimestamp: '2030-01-01T00:00:00Z' },
    });
    expect(parseExecCredential(out, config)).toEqual({ token: 't', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
  });

  it.each([
    ['not JSON', 'hello', 'credential plugin plugin printed no JSON ExecCredential'],
    [
      'another apiVersion',
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        status: { token: 't' },
      }),
      'credential plugin plugin must print an ExecCredential of client.authentication.k8s.io/v1',
    ],
    [
      'no credential',
      JSON.stringify({ apiVersion: config.apiVersion, kind: 'ExecCredential', status: {} }),
      'credential plugin plugin returned neither status.token nor clientCertificateData + clientKeyData',
    ],
  ])('refuses %s', (_label, out, message) => {
    expect(() => parseExecCredential(out, config)).toThrow(message);
  });
});
