import { ConfigError } from './config.error';
import type { ScangateConfig } from './config.types';
import { issueLines, load, loadError, TempDir } from './config.testing';
import { loadConfig } from './load-config';

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

const DEFAULTS: Omit<ScangateConfig, 'embedded' | 'admin'> = {
  server: { port: 8443, host: '0.0.0.0', tls: {}, bodyLimitBytes: 7340032 },
  cache: { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500, l1MaxEntries: 10000 },
  admission: {
    mode: 'enforce',
    waitBudgetMs: 8000,
    onPending: 'deny',
    onError: 'deny',
    exemptNamespaces: ['kube-system'],
    breakGlass: { enabled: true, annotation: 'scangate.io/break-glass' },
    namespaces: [],
  },
  policy: {
    allowedRegistries: [],
    allowedImages: [],
    deniedImages: [],
    tags: { denyLatest: true, requireDigest: false },
  },
  analyzer: {
    type: 'none',
    requestTimeoutMs: 10000,
    retries: 2,
    pollIntervalMs: 5000,
    breaker: { failureThreshold: 5, openMs: 30000 },
  },
  registries: { insecure: [], allowPrivateNetworks: false, privateHosts: [], platforms: ['linux/amd64'] },
  worker: {
    concurrency: 4,
    shutdownGraceMs: 30000,
    lockDurationMs: 30000,
    stalledIntervalMs: 30000,
    metricsPort: 9464,
  },
  log: { level: 'info' },
  dataDir: '.scangate',
};

describe('embedded mode (no config file)', () => {
  it('uses the defaults of PRODUCT.md §4, no Redis and analyzer none', () => {
    const loaded = loadConfig({ env: {} });
    const { admin, embedded, ...rest } = loaded.config;
    expect(embedded).toBe(true);
    expect(rest).toEqual(DEFAULTS);
    expect(loaded.config.redis).toBeUndefined();
    expect(admin.port).toBe(8081);
    expect(loaded.source).toBe('embedded');
    expect(loaded.envOverrides).toEqual([]);
    expect(loaded.warnings).toEqual([]);
  });

  it('generates a random 32-byte base64url admin token and says so', () => {
    const first = loadConfig({ env: {} });
    const second = loadConfig({ env: {} });
    expect(first.adminTokenGenerated).toBe(true);
    expect(first.config.admin.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first.config.admin.token, 'base64url')).toHaveLength(32);
    expect(second.config.admin.token).not.toBe(first.config.admin.token);
  });

  it('applies environment overrides', () => {
    const loaded = loadConfig({
      env: {
        SCANGATE_ADMISSION_MODE: 'warn',
        SCANGATE_CACHE_ALLOWTTL: '600',
        SCANGATE_ADMIN_TOKEN: 'a-long-admin-token-123',
      },
    });
    expect(loaded.config.embedded).toBe(true);
    expect(loaded.config.admission.mode).toBe('warn');
    expect(loaded.config.cache.allowTTL).toBe(600);
    expect(loaded.config.admin.token).toBe('a-long-admin-token-123');
    expect(loaded.adminTokenGenerated).toBe(false);
    expect(loaded.envOverrides).toEqual(['SCANGATE_ADMIN_TOKEN', 'SCANGATE_ADMISSION_MODE', 'SCANGATE_CACHE_ALLOWTTL']);
  });

  it('uses Redis instead of the in-memory store when SCANGATE_REDIS_URL is set', () => {
    const loaded = loadConfig({ env: { SCANGATE_REDIS_URL: 'redis://redis:6379/0' } });
    expect(loaded.config.embedded).toBe(true);
    expect(loaded.config.redis).toEqual({
      mode: 'standalone',
      url: 'redis://redis:6379/0',
      prefix: 'scangate',
      commandTimeoutMs: 200,
    });
  });

  it('treats an empty SCANGATE_CONFIG as unset', () => {
    expect(loadConfig({ env: { SCANGATE_CONFIG: '' } }).config.embedded).toBe(true);
  });
});

describe('config file', () => {
  it('reads YAML, keeps defaults for keys it omits and is not embedded', () => {
    const loaded = load(dir, 'cache:\n  allowTTL: 120\nadmission:\n  mode: audit\n');
    expect(loaded.config.embedded).toBe(false);
    expect(loaded.config.cache).toEqual({
      allowTTL: 120,
      denyTTL: 30,
      tagTTL: 60,
      errorBackoffMs: 500,
      l1MaxEntries: 10000,
    });
    expect(loaded.config.admission.mode).toBe('audit');
    expect(loaded.config.admission.exemptNamespaces).toEqual(['kube-system']);
    expect(loaded.source).toMatch(/scangate\.yaml$/);
  });

  it('reads JSON', () => {
    const loaded = load(dir, { server: { port: 9443 }, policy: { tags: { requireDigest: true } } });
    expect(loaded.config.server.port).toBe(9443);
    expect(loaded.config.policy.tags).toEqual({ denyLatest: true, requireDigest: true });
  });

  it('accepts an empty file: every default, not embedded', () => {
    const loaded = load(dir, '');
    const { admin, embedded, ...rest } = loaded.config;
    expect(embedded).toBe(false);
    expect(rest).toEqual(DEFAULTS);
    expect(admin.port).toBe(8081);
  });

  it('is found through SCANGATE_CONFIG, and options.file wins over it', () => {
    const viaEnv = dir.write('env.yaml', 'cache: { denyTTL: 5 }');
    const viaOption = dir.write('option.yaml', 'cache: { denyTTL: 7 }');
    expect(loadConfig({ env: { SCANGATE_CONFIG: viaEnv } }).config.cache.denyTTL).toBe(5);
    expect(loadConfig({ file: viaOption, env: { SCANGATE_CONFIG: viaEnv } }).config.cache.denyTTL).toBe(7);
  });

  it('lets environment variables override file values (defaults < file < environment)', () => {
    const loaded = load(
      dir,
      { cache: { allowTTL: 120, denyTTL: 10 }, admission: { mode: 'audit' } },
      {
        SCANGATE_CACHE_ALLOWTTL: '600',
      },
    );
    expect(loaded.config.cache.allowTTL).toBe(600);
    expect(loaded.config.cache.denyTTL).toBe(10);
    expect(loaded.config.admission.mode).toBe('audit');
  });

  it('treats a key without a value (null) as absent', () => {
    const loaded = load(dir, 'server:\n  tls:\n  port:\nredis:\n  url: redis://r:6379\n  prefix:\n');
    expect(loaded.config.server.port).toBe(8443);
    expect(loaded.config.redis).toEqual({
      mode: 'standalone',
      url: 'redis://r:6379',
      prefix: 'scangate',
      commandTimeoutMs: 200,
    });
  });

  it('returns a deeply frozen config', () => {
    const { config } = load(dir, { admission: { exemptNamespaces: ['kube-system', 'monitoring'] } });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.admission.exemptNamespaces)).toBe(true);
    expect(() => (config.admission.exemptNamespaces as string[]).push('x')).toThrow(TypeError);
  });

  it('maps every section of a full production file', () => {
    const loaded = load(
      dir,
      {
        server: { port: 443, host: '::', bodyLimitBytes: 1048576 },
        admin: { port: 9090, token: 'production-admin-token-0123456789' },
        redis: { url: 'rediss://:pw@redis:6380/1', prefix: '{scangate}', commandTimeoutMs: 150 },
        cache: { allowTTL: 600, denyTTL: 60, tagTTL: 30, errorBackoffMs: 0, l1MaxEntries: 50000 },
        admission: {
          mode: 'warn',
          waitBudgetMs: 2500,
          onPending: 'allow',
          onError: 'allow',
          exemptNamespaces: ['kube-system', 'kube-*'],
          breakGlass: { enabled: false, annotation: 'example.com/emergency' },
          namespaces: [
            {
              names: ['team-*'],
              mode: 'enforce',
              policy: { allowedImages: ['docker.io/library/*'], tags: { requireDigest: true } },
            },
            { names: ['sandbox'], labels: { env: 'dev' }, mode: 'audit' },
          ],
        },
        policy: {
          allowedRegistries: ['registry.example.com', 'docker.io/mycompany'],
          allowedImages: ['registry.example.com/base/*'],
          deniedImages: ['docker.io/library/busybox'],
          tags: { denyLatest: false, requireDigest: false },
        },
        analyzer: {
          type: 'clair',
          clair: { url: 'http://clair:6060', psk: 'c2VjcmV0', ignore: ['CVE-2023-1234'], maxSeverity: 'Medium' },
        },
        registries: {
          dockerConfigFile: dir.write('dockerconfig.json', '{"auths":{}}'),
          insecure: ['registry:5000'],
          allowPrivateNetworks: false,
          privateHosts: ['registry:5000', '10.0.0.5'],
          platforms: ['linux/amd64', 'linux/arm64/v8'],
        },
        worker: {
          concurrency: 16,
          shutdownGraceMs: 60000,
          lockDurationMs: 45000,
          stalledIntervalMs: 15000,
          metricsPort: 9100,
        },
        log: { level: 'debug' },
        dataDir: '/var/lib/scangate',
      },
      {},
    );
    expect(loaded.warnings).toEqual([expect.stringMatching(/^server\.tls\.certFile is not set/)]);
    expect(loaded.adminTokenGenerated).toBe(false);
    expect(loaded.config).toEqual({
      embedded: false,
      server: { port: 443, host: '::', tls: {}, bodyLimitBytes: 1048576 },
      admin: { port: 9090, token: 'production-admin-token-0123456789' },
      redis: { mode: 'standalone', url: 'rediss://:pw@redis:6380/1', prefix: '{scangate}', commandTimeoutMs: 150 },
      cache: { allowTTL: 600, denyTTL: 60, tagTTL: 30, errorBackoffMs: 0, l1MaxEntries: 50000 },
      admission: {
        mode: 'warn',
        waitBudgetMs: 2500,
        onPending: 'allow',
        onError: 'allow',
        exemptNamespaces: ['kube-system', 'kube-*'],
        breakGlass: { enabled: false, annotation: 'example.com/emergency' },
        namespaces: [
          {
            names: ['team-*'],
            labels: {},
            mode: 'enforce',
            // tag rules not given in the override keep the global value
            policy: { allowedImages: ['docker.io/library/*'], tags: { denyLatest: false, requireDigest: true } },
          },
          { names: ['sandbox'], labels: { env: 'dev' }, mode: 'audit' },
        ],
      },
      policy: {
        allowedRegistries: ['registry.example.com', 'docker.io/mycompany'],
        allowedImages: ['registry.example.com/base/*'],
        deniedImages: ['docker.io/library/busybox'],
        tags: { denyLatest: false, requireDigest: false },
      },
      analyzer: {
        type: 'clair',
        clair: {
          url: 'http://clair:6060',
          psk: 'c2VjcmV0',
          issuer: 'scangate',
          maxSeverity: 'Medium',
          maxUnfixedSeverity: 'Critical',
          ignore: ['CVE-2023-1234'],
          platform: 'linux/amd64',
          indexTimeoutMs: 300000,
          notifier: { header: 'X-Scangate-Notifier-Token', pageSize: 500 },
        },
        requestTimeoutMs: 10000,
        retries: 2,
        pollIntervalMs: 5000,
        breaker: { failureThreshold: 5, openMs: 30000 },
      },
      registries: {
        dockerConfigFile: expect.stringMatching(/dockerconfig\.json$/),
        insecure: ['registry:5000'],
        allowPrivateNetworks: false,
        privateHosts: ['registry:5000', '10.0.0.5'],
        platforms: ['linux/amd64', 'linux/arm64/v8'],
      },
      worker: {
        concurrency: 16,
        shutdownGraceMs: 60000,
        lockDurationMs: 45000,
        stalledIntervalMs: 15000,
        metricsPort: 9100,
      },
      log: { level: 'debug' },
      dataDir: '/var/lib/scangate',
    });
  });
});

describe('redis', () => {
  it('reaches the master through Sentinel', () => {
    const { config } = load(dir, {
      redis: { sentinels: ['sentinel-0:26379', 'sentinel-1'], sentinelName: 'mymaster', prefix: 'sg' },
    });
    expect(config.redis).toEqual({
      mode: 'sentinel',
      sentinels: ['sentinel-0:26379', 'sentinel-1'],
      sentinelName: 'mymaster',
      prefix: 'sg',
      commandTimeoutMs: 200,
    });
  });

  it('uses a Redis Cluster from its seed nodes, also from the environment', () => {
    const { config } = loadConfig({
      env: { SCANGATE_REDIS_CLUSTER: 'redis-0:6379,redis-1:6379', SCANGATE_REDIS_COMMANDTIMEOUTMS: '250' },
    });
    expect(config.redis).toEqual({
      mode: 'cluster',
      cluster: ['redis-0:6379', 'redis-1:6379'],
      prefix: 'scangate',
      commandTimeoutMs: 250,
    });
  });

  it.each([
    [
      { url: 'redis://r', cluster: ['r:6379'] },
      'redis.cluster: give exactly one of redis.url, redis.sentinels, redis.cluster (got redis.url and redis.cluster)',
    ],
    [
      { sentinels: ['s'], sentinelName: 'm', cluster: ['r'] },
      'redis.cluster: give exactly one of redis.url, redis.sentinels, redis.cluster (got redis.sentinels and redis.cluster)',
    ],
    [
      { sentinels: ['s:26379'] },
      'redis.sentinelName: is required with redis.sentinels (the master set name, e.g. mymaster)',
    ],
    [{ url: 'redis://r', sentinelName: 'm' }, 'redis.sentinelName: is only used with redis.sentinels'],
    [{ cluster: [] }, 'redis.url: is required (or redis.sentinels with redis.sentinelName, or redis.cluster)'],
    [
      { cluster: ['http://r:6379'] },
      'redis.cluster: each entry must be host or host:port (no scheme, no path); not "http://r:6379" (got ["http://r:6379"])',
    ],
    [
      { url: 'redis://r', commandTimeoutMs: 0 },
      'redis.commandTimeoutMs: must be an integer between 1 and 5000 (got 0)',
    ],
  ])('rejects %j', (redis, line) => {
    expect(issueLines(loadError(dir, { redis }))).toEqual([line]);
  });
});

describe('worker and the in-process cache', () => {
  it.each([
    ['worker.concurrency', { worker: { concurrency: 0 } }, 'must be an integer between 1 and 256'],
    ['worker.concurrency', { worker: { concurrency: 257 } }, 'must be an integer between 1 and 256'],
    ['worker.shutdownGraceMs', { worker: { shutdownGraceMs: 600001 } }, 'must be an integer between 0 and 600000'],
    ['worker.lockDurationMs', { worker: { lockDurationMs: 999 } }, 'must be an integer between 1000 and 600000'],
    ['worker.stalledIntervalMs', { worker: { stalledIntervalMs: 999 } }, 'must be an integer between 1000 and 600000'],
    ['cache.l1MaxEntries', { cache: { l1MaxEntries: -1 } }, 'must be an integer between 0 and 1000000'],
    ['cache.l1MaxEntries', { cache: { l1MaxEntries: 1000001 } }, 'must be an integer between 0 and 1000000'],
  ])('checks %s (%j)', (key, content, message) => {
    expect(loadError(dir, content).issues).toEqual([{ key, message: expect.stringContaining(message) }]);
  });

  it('accepts 0 for cache.l1MaxEntries (no in-process cache) and worker.shutdownGraceMs', () => {
    const { config } = load(dir, { cache: { l1MaxEntries: 0 }, worker: { shutdownGraceMs: 0 } });
    expect(config.cache.l1MaxEntries).toBe(0);
    expect(config.worker.shutdownGraceMs).toBe(0);
  });
});

describe('analyzer', () => {
  it('defaults to none when the section is absent', () => {
    expect(load(dir, { cache: {} }).config.analyzer).toEqual({
      type: 'none',
      requestTimeoutMs: 10000,
      retries: 2,
      pollIntervalMs: 5000,
      breaker: { failureThreshold: 5, openMs: 30000 },
    });
  });

  it('passes the Anchore section on with apiVersion auto by default', () => {
    const { config } = load(dir, {
      analyzer: {
        type: 'anchore',
        anchore: { url: 'http://anchore:8228', username: 'admin', password: 'foobar', account: 'team' },
      },
    });
    expect(config.analyzer).toEqual({
      type: 'anchore',
      requestTimeoutMs: 10000,
      retries: 2,
      pollIntervalMs: 5000,
      breaker: { failureThreshold: 5, openMs: 30000 },
      anchore: {
        url: 'http://anchore:8228',
        username: 'admin',
        password: 'foobar',
        account: 'team',
        apiVersion: 'auto',
      },
    });
  });

  it('applies Clair defaults', () => {
    const { config } = load(dir, { analyzer: { type: 'clair', clair: { url: 'https://clair.example.com' } } });
    expect(config.analyzer).toEqual({
      type: 'clair',
      clair: {
        url: 'https://clair.example.com',
        issuer: 'scangate',
        maxSeverity: 'High',
        maxUnfixedSeverity: 'Critical',
        ignore: [],
        platform: 'linux/amd64',
        indexTimeoutMs: 300000,
        notifier: { header: 'X-Scangate-Notifier-Token', pageSize: 500 },
      },
      requestTimeoutMs: 10000,
      retries: 2,
      pollIntervalMs: 5000,
      breaker: { failureThreshold: 5, openMs: 30000 },
    });
  });

  it('resolves the Clair notifier secret from tokenFile', () => {
    const secret = dir.write('notifier-token', 's3cret\n');
    const { config } = load(dir, {
      analyzer: { type: 'clair', clair: { url: 'http://clair:6060', notifier: { tokenFile: secret } } },
    });
    expect(config.analyzer.clair?.notifier.token).toBe('s3cret');
  });

  it('drops the section of an analyzer that is not selected, with a warning', () => {
    const loaded = load(dir, {
      analyzer: { type: 'clair', clair: { url: 'http://clair:6060' }, anchore: { url: 'http://anchore:8228' } },
    });
    expect(loaded.config.analyzer.anchore).toBeUndefined();
    expect(loaded.warnings).toContain('analyzer.anchore is set but analyzer.type is clair: it is ignored');
  });

  it('can be configured by environment alone', () => {
    const { config } = loadConfig({
      env: { SCANGATE_ANALYZER_TYPE: 'clair', SCANGATE_ANALYZER_CLAIR_URL: 'http://clair:6060' },
    });
    expect(config.analyzer.type).toBe('clair');
    expect(config.analyzer.clair?.url).toBe('http://clair:6060');
  });
});

describe('admin token and warnings', () => {
  it('takes admin.token from the file', () => {
    const loaded = load(dir, { admin: { token: 'file-admin-token-0123456789' } });
    expect(loaded.config.admin.token).toBe('file-admin-token-0123456789');
    expect(loaded.adminTokenGenerated).toBe(false);
  });

  it('generates a token in production (file + Redis) and warns that replicas will not share it', () => {
    const loaded = load(dir, { redis: { url: 'redis://redis:6379' } });
    expect(loaded.adminTokenGenerated).toBe(true);
    expect(loaded.config.admin.token).toHaveLength(43);
    expect(loaded.warnings).toContainEqual(
      expect.stringMatching(/^admin\.token is not set: .*each replica has its own/),
    );
  });

  it('does not warn about a generated token without Redis', () => {
    const loaded = load(dir, {});
    expect(loaded.adminTokenGenerated).toBe(true);
    expect(loaded.warnings.some((w) => w.startsWith('admin.token'))).toBe(false);
  });

  it('warns about a short token, private networks and label-only overrides that relax the rules', () => {
    const loaded = load(dir, {
      admin: { token: 'short' },
      registries: { allowPrivateNetworks: true },
      admission: {
        namespaces: [
          { labels: { team: 'a' }, mode: 'audit' },
          { labels: { team: 'b' }, mode: 'enforce' },
        ],
      },
    });
    expect(loaded.warnings).toEqual(
      expect.arrayContaining([
        'admin.token is shorter than 16 characters; use a long random token',
        expect.stringMatching(/^registries\.allowPrivateNetworks is true/),
        expect.stringMatching(/^admission\.namespaces\[0\] is matched by labels only/),
      ]),
    );
    expect(loaded.warnings.some((w) => w.startsWith('admission.namespaces[1]'))).toBe(false);
  });
});

describe('errors', () => {
  it('is a ConfigError with code CONFIG_INVALID naming the source', () => {
    const error = loadError(dir, { cache: { allowTTL: 0 } });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.name).toBe('ConfigError');
    expect(error.source).toMatch(/scangate\.yaml$/);
    expect(error.message.split('\n')[0]).toMatch(/^invalid configuration \(.*scangate\.yaml\), 1 problem:$/);
    expect(error.issues).toEqual([
      { key: 'cache.allowTTL', message: 'must be an integer between 1 and 86400 (got 0)' },
    ]);
  });

  it('reports every problem at once, one per line, from the file and the environment', () => {
    const error = loadError(
      dir,
      { server: { port: 0 }, cache: { denyTTL: 'thirty' }, admission: { mode: 'block' }, analyzer: { type: 'clair' } },
      { SCANGATE_CACHE_ALLOWTTL: 'abc', SCANGATE_CACHE_ALOWTTL: '1' },
    );
    expect(issueLines(error)).toEqual([
      'SCANGATE_CACHE_ALOWTTL: unknown environment variable; did you mean SCANGATE_CACHE_ALLOWTTL?',
      'server.port: must be an integer between 1 and 65535 (got 0)',
      'cache.allowTTL: must be an integer between 1 and 86400 (got "abc" from SCANGATE_CACHE_ALLOWTTL)',
      'cache.denyTTL: must be an integer between 1 and 86400 (got "thirty")',
      'admission.mode: must be one of enforce, warn, audit (got "block")',
      'analyzer.clair.url: is required when analyzer.type is clair',
    ]);
    expect(error.message.split('\n')[0]).toMatch(/, 6 problems:$/);
  });

  it('names an unknown key in the file and suggests the right one', () => {
    const error = loadError(dir, { cache: { allowTtl: 5 }, admision: {}, server: { tls: { certfile: '/x' } } });
    expect(error.issues).toHaveLength(3);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { key: 'server.tls.certfile', message: 'unknown key; did you mean certFile?' },
        { key: 'cache.allowTtl', message: 'unknown key; did you mean allowTTL?' },
        { key: 'admision', message: 'unknown key; did you mean admission?' },
      ]),
    );
  });

  it('lists the known keys when nothing is close', () => {
    const error = loadError(dir, { redis: { url: 'redis://r:6379', database: 3 } });
    expect(error.issues).toEqual([
      {
        key: 'redis.database',
        message: 'unknown key; expected one of url, sentinels, sentinelName, cluster, prefix, commandTimeoutMs',
      },
    ]);
  });

  it('rejects the embedded flag as a key: it is derived, not configured', () => {
    expect(loadError(dir, { embedded: true }).issues.map((i) => i.key)).toEqual(['embedded']);
  });

  it('names the key of a wrong type without converting file values', () => {
    const error = loadError(dir, { server: { port: '8443' }, policy: { tags: { denyLatest: 'yes' } }, cache: 5 });
    expect(error.issues).toEqual([
      { key: 'server.port', message: 'must be an integer between 1 and 65535 (got "8443")' },
      { key: 'cache', message: 'must be a mapping (got 5)' },
      { key: 'policy.tags.denyLatest', message: 'must be true or false (got "yes")' },
    ]);
  });

  it('names entries of admission.namespaces by index', () => {
    const error = loadError(dir, {
      admission: { namespaces: [{ names: ['ok'] }, { names: ['Bad_Name'], mode: 'off', colour: 'red' }, {}, 'x'] },
    });
    expect(error.issues).toEqual([
      { key: 'admission.namespaces[1].colour', message: 'unknown key; expected one of names, labels, mode, policy' },
      {
        key: 'admission.namespaces[1].names',
        message:
          'each entry must be a namespace name (DNS-1123 label), optionally with * wildcards; not "Bad_Name" (got ["Bad_Name"])',
      },
      { key: 'admission.namespaces[1].mode', message: 'must be one of enforce, warn, audit (got "off")' },
      { key: 'admission.namespaces[3]', message: 'each entry must be a mapping (got "x")' },
      {
        key: 'admission.namespaces[2]',
        message: 'needs names or labels (or both) to say which namespaces it applies to',
      },
    ]);
  });

  it('never shows a secret value in a message', () => {
    const error = loadError(dir, { admin: { token: 'has a space' } }, { SCANGATE_ANALYZER_CLAIR_PSK: 'not base64!' });
    expect(error.message).not.toContain('has a space');
    expect(error.message).not.toContain('not base64!');
    expect(error.issues).toEqual([
      { key: 'admin.token', message: expect.stringMatching(/^must be printable ASCII without spaces/) },
      {
        key: 'analyzer.clair.psk',
        message: expect.stringMatching(/^must be standard base64 .* \(from SCANGATE_ANALYZER_CLAIR_PSK\)$/),
      },
    ]);
  });

  it('hides credentials inside URLs it echoes', () => {
    const error = loadError(dir, { redis: { url: 'http://user:hunter2@redis:6379' } });
    expect(error.message).not.toContain('hunter2');
    expect(error.issues[0]?.message).toContain('(got "http://***@redis:6379")');
  });
});
