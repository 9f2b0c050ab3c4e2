import { load, loadError, TempDir } from './config.testing';

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

/** Deep-merges a dotted key into an object: set('a.b', 1) → { a: { b: 1 } }. */
function fileWith(key: string, value: unknown, base: Record<string, unknown> = {}): Record<string, unknown> {
  const root = structuredClone(base);
  let node = root;
  const parts = key.split('.');
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
  return root;
}

const PORT = 'must be an integer between 1 and 65535';
const TTL = 'must be an integer between 1 and 86400';
const CLAIR = { analyzer: { type: 'clair', clair: { url: 'http://clair:6060' } } };
const ANCHORE = { analyzer: { type: 'anchore', anchore: { url: 'http://a:8228', username: 'u', password: 'p' } } };

// [key, bad value, message start, file the value is merged into]
const CASES: [string, unknown, string, Record<string, unknown>?][] = [
  ['server.port', 0, PORT],
  ['server.port', 65536, PORT],
  ['server.port', 80.5, PORT],
  ['server.host', 'a b', 'must be a non-empty string without spaces'],
  ['server.host', '', 'must not be empty'],
  ['server.bodyLimitBytes', 1023, 'must be an integer between 1024 and 67108864'],
  ['server.bodyLimitBytes', 67108865, 'must be an integer between 1024 and 67108864'],
  ['server.tls', 'on', 'must be a mapping'],
  ['server.tls.certFile', 5, 'must be a string'],
  ['admin.port', 70000, PORT],
  ['admin.token', 'two words', 'must be printable ASCII without spaces'],
  ['redis.url', 'http://redis:6379', 'must be a redis:// or rediss:// URL'],
  ['redis.url', 'redis+sentinel://s:26379/mymaster', 'must be a redis:// or rediss:// URL'],
  ['redis.prefix', 'a b', 'must be a non-empty string without spaces', { redis: { url: 'redis://r' } }],
  ['cache.allowTTL', 0, TTL],
  ['cache.allowTTL', 86401, TTL],
  ['cache.denyTTL', 1.5, TTL],
  ['cache.tagTTL', -1, TTL],
  ['cache.errorBackoffMs', -1, 'must be an integer between 0 and 300000'],
  ['cache.errorBackoffMs', 300001, 'must be an integer between 0 and 300000'],
  ['admission.mode', 'block', 'must be one of enforce, warn, audit'],
  ['admission.waitBudgetMs', 0, 'must be an integer between 1 and 29000'],
  [
    'admission.waitBudgetMs',
    30000,
    "must be an integer between 1 and 29000; it must stay below the API server's 30 s maximum webhook timeout",
  ],
  ['admission.onPending', 'wait', 'must be one of deny, allow'],
  ['admission.onError', 'ignore', 'must be one of deny, allow'],
  ['admission.exemptNamespaces', 'kube-system', 'must be a list'],
  ['admission.exemptNamespaces', ['Kube_System'], 'each entry must be a namespace name (DNS-1123 label)'],
  [
    'admission.exemptNamespaces',
    ['*'],
    'each entry must be a namespace name (DNS-1123 label), optionally with * wildcards, but not * alone',
  ],
  ['admission.exemptNamespaces', ['a'.repeat(64)], 'each entry must be a namespace name'],
  ['admission.breakGlass.enabled', 'yes', 'must be true or false'],
  ['admission.breakGlass.annotation', 'break glass', 'must be a Kubernetes annotation/label key'],
  ['admission.breakGlass.annotation', 'scangate.io/', 'must be a Kubernetes annotation/label key'],
  ['admission.breakGlass.annotation', 'Scangate_IO/x', 'must be a Kubernetes annotation/label key'],
  ['admission.namespaces', { names: ['a'] }, 'must be a list'],
  ['admission.namespaces', [{ labels: { 'bad key!': 'x' } }], 'keys must be a Kubernetes annotation/label key'],
  ['admission.namespaces', [{ labels: { team: 5 } }], 'values must be a Kubernetes label value'],
  ['admission.namespaces', [{ labels: ['team'] }], 'must be a mapping of strings'],
  ['admission.namespaces', [{ names: ['a'], policy: { tags: { denyLatest: 'no' } } }], 'must be true or false'],
  ['admission.namespaces', [{ names: ['a'], policy: { allowedImages: 'x' } }], 'must be a list'],
  ['admission.namespaces', [{ names: ['a'], policy: { tags: { pinned: true } } }], 'unknown key'],
  [
    'policy.allowedRegistries',
    ['docker.io', 'my registry'],
    'each entry must be a non-empty string without spaces; not "my registry"',
  ],
  ['policy.allowedImages', [''], 'each entry must be a non-empty string without spaces'],
  ['policy.deniedImages', [null], 'each entry must be a non-empty string without spaces; not null'],
  ['policy.tags.requireDigest', 1, 'must be true or false'],
  ['analyzer.type', 'trivy', 'must be one of none, anchore, clair'],
  ['analyzer.anchore.url', 'ftp://anchore', 'must be an http:// or https:// URL', ANCHORE],
  ['analyzer.anchore.url', 'anchore:8228', 'must be an http:// or https:// URL', ANCHORE],
  ['analyzer.anchore.apiVersion', 'v3', 'must be one of auto, v1, v2', ANCHORE],
  ['analyzer.anchore.policyId', 'a b', 'must be a non-empty string without spaces', ANCHORE],
  ['analyzer.clair.url', 'clair:6060', 'must be an http:// or https:// URL', CLAIR],
  ['analyzer.clair.maxSeverity', 'Severe', 'must be one of Unknown, Negligible, Low, Medium, High, Critical', CLAIR],
  [
    'analyzer.clair.maxUnfixedSeverity',
    'high',
    'must be one of Unknown, Negligible, Low, Medium, High, Critical',
    CLAIR,
  ],
  ['analyzer.clair.platform', 'amd64', 'must be os/arch[/variant]', CLAIR],
  ['analyzer.clair.psk', 'not base64!', 'must be standard base64', CLAIR],
  ['analyzer.clair.ignore', 'CVE-1', 'must be a list', CLAIR],
  ['analyzer.clair.issuer', '', 'must not be empty', CLAIR],
  ['registries.dockerConfigFile', '', 'must not be empty'],
  ['registries.insecure', ['http://registry:5000'], 'each entry must be host or host:port (no scheme, no path)'],
  ['registries.privateHosts', ['registry:99999'], 'each entry must be host or host:port'],
  ['registries.privateHosts', ['registry/path'], 'each entry must be host or host:port'],
  ['registries.allowPrivateNetworks', 'true', 'must be true or false'],
  ['log.level', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
  ['dataDir', 7, 'must be a string'],
];

describe('every rule names its key', () => {
  // Rows padded to a fixed length: jest would pass `done` in place of a missing last column.
  const rows = CASES.map(([key, value, message, base]) => [key, value, message, base ?? {}] as const);
  it.each(rows)('%s = %j', (key, value, message, base) => {
    const error = loadError(dir, fileWith(key, value, base));
    expect(error.issues).toHaveLength(1);
    const [issue] = error.issues;
    // entries of admission.namespaces are reported under their own path
    const where = key === 'admission.namespaces' ? expect.stringMatching(/^admission\.namespaces(\[0\]\S*)?$/) : key;
    expect(issue).toEqual({ key: where, message: expect.any(String) });
    expect(issue?.message.startsWith(message)).toBe(true);
  });
});

describe('accepted values', () => {
  it.each([
    ['admission.exemptNamespaces', ['kube-system', 'kube-*', 'cert-manager']],
    ['admission.breakGlass.annotation', 'break-glass'],
    ['admission.breakGlass.annotation', 'mycluster.image-policy.k8s.io/break-glass'],
    ['registries.insecure', ['registry:5000', '127.0.0.1:5000', '[::1]:5000', 'localhost']],
    ['redis.url', 'rediss://:secret@redis.example.com:6380/2'],
    ['server.host', '::'],
    ['cache.errorBackoffMs', 0],
    ['admission.waitBudgetMs', 29000],
    ['server.bodyLimitBytes', 67108864],
  ])('%s = %j', (key, value) => {
    const [section, ...rest] = key.split('.');
    const { config } = load(dir, fileWith(key, value));
    const read = rest.reduce<unknown>(
      (node, part) => (node as Record<string, unknown>)[part],
      config[section as keyof typeof config],
    );
    expect(read).toEqual(value);
  });
});
