import { type Env, issueLines, load, loadError, TempDir } from './config.testing';
import { describeConfigKeys } from './config-keys';
import { loadConfig } from './load-config';

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

const withEnv = (env: Env) => loadConfig({ env }).config;
const errorsOf = (env: Env): string[] => issueLines(loadError(dir, undefined, env));

describe('variable names', () => {
  it('are SCANGATE_ + the key path upper-cased and joined by _', () => {
    const envs = new Map(describeConfigKeys().map((k) => [k.key, k.env]));
    expect(envs.get('cache.allowTTL')).toBe('SCANGATE_CACHE_ALLOWTTL');
    expect(envs.get('server.tls.certFile')).toBe('SCANGATE_SERVER_TLS_CERTFILE');
    expect(envs.get('admission.breakGlass.annotation')).toBe('SCANGATE_ADMISSION_BREAKGLASS_ANNOTATION');
    expect(envs.get('analyzer.anchore.passwordFile')).toBe('SCANGATE_ANALYZER_ANCHORE_PASSWORDFILE');
    expect(envs.get('log.level')).toBe('SCANGATE_LOG_LEVEL');
    expect(envs.get('dataDir')).toBe('SCANGATE_DATADIR');
    expect(envs.get('admission.namespaces')).toBe('SCANGATE_ADMISSION_NAMESPACES');
    expect(envs.get('admission.namespaces[].mode')).toBeUndefined();
  });

  it('are distinct for every key', () => {
    const envs = describeConfigKeys().flatMap((k) => (k.env ? [k.env] : []));
    expect(new Set(envs).size).toBe(envs.length);
    expect(envs.length).toBeGreaterThanOrEqual(50);
  });

  it('match the key part case-insensitively', () => {
    expect(withEnv({ SCANGATE_cache_allowTTL: '42' }).cache.allowTTL).toBe(42);
    expect(
      withEnv({
        SCANGATE_Server_Tls_CertFile: dir.write('c.pem', 'x'),
        SCANGATE_SERVER_TLS_KEYFILE: dir.write('k.pem', 'x'),
      }).server.tls.certFile,
    ).toMatch(/c\.pem$/);
  });

  it('refuse a key set by two spellings', () => {
    expect(errorsOf({ SCANGATE_CACHE_ALLOWTTL: '1', SCANGATE_cache_allowttl: '2' })).toEqual([
      'cache.allowTTL: set by both SCANGATE_CACHE_ALLOWTTL and SCANGATE_cache_allowttl; keep one',
    ]);
  });

  it('ignore variables without the upper-case SCANGATE_ prefix', () => {
    expect(withEnv({ PATH: '/bin', scangate_cache_allowttl: 'x', SCANGATEX: '1' }).cache.allowTTL).toBe(300);
  });
});

describe('unknown SCANGATE_ variables', () => {
  it('are errors naming the variable, with the nearest known name', () => {
    expect(errorsOf({ SCANGATE_CACHE_ALLOWTL: '5', SCANGATE_DATA_DIR: '/d', SCANGATE_NOPE: '1' })).toEqual([
      'SCANGATE_CACHE_ALLOWTL: unknown environment variable; did you mean SCANGATE_CACHE_ALLOWTTL?',
      'SCANGATE_DATA_DIR: unknown environment variable; did you mean SCANGATE_DATADIR?',
      'SCANGATE_NOPE: unknown environment variable',
    ]);
  });

  it('do not include SCANGATE_CONFIG (the file) or Kubernetes service links', () => {
    const config = withEnv({
      SCANGATE_CONFIG: '',
      SCANGATE_SERVICE_HOST: '10.0.0.1',
      SCANGATE_SERVICE_PORT: '443',
      SCANGATE_SERVICE_PORT_HTTPS: '443',
      SCANGATE_PORT: 'tcp://10.0.0.1:443',
      SCANGATE_PORT_443_TCP: 'tcp://10.0.0.1:443',
      SCANGATE_PORT_443_TCP_PROTO: 'tcp',
      SCANGATE_PORT_443_TCP_PORT: '443',
      SCANGATE_PORT_443_TCP_ADDR: '10.0.0.1',
      // a Service named scangate-admin collides with admin.port: its value gives it away
      SCANGATE_ADMIN_PORT: 'tcp://10.0.0.2:8081',
      SCANGATE_REDIS_MASTER_SERVICE_HOST: '10.0.0.3',
    });
    expect(config.admin.port).toBe(8081);
  });

  it('still apply a real port next to service links', () => {
    expect(withEnv({ SCANGATE_ADMIN_PORT: '9000', SCANGATE_SERVICE_HOST: '10.0.0.1' }).admin.port).toBe(9000);
  });
});

describe('coercion', () => {
  it('reads integers', () => {
    expect(withEnv({ SCANGATE_CACHE_ALLOWTTL: '600' }).cache.allowTTL).toBe(600);
    expect(withEnv({ SCANGATE_CACHE_ALLOWTTL: ' 600 ' }).cache.allowTTL).toBe(600);
    expect(withEnv({ SCANGATE_CACHE_ERRORBACKOFFMS: '0' }).cache.errorBackoffMs).toBe(0);
  });

  it('names the variable and its text when an integer does not parse or is out of range', () => {
    expect(
      errorsOf({ SCANGATE_CACHE_ALLOWTTL: 'abc', SCANGATE_SERVER_PORT: '1.5', SCANGATE_ADMIN_PORT: '0x10' }),
    ).toEqual([
      'server.port: must be an integer between 1 and 65535 (got "1.5" from SCANGATE_SERVER_PORT)',
      'admin.port: must be an integer between 1 and 65535 (got "0x10" from SCANGATE_ADMIN_PORT)',
      'cache.allowTTL: must be an integer between 1 and 86400 (got "abc" from SCANGATE_CACHE_ALLOWTTL)',
    ]);
    expect(errorsOf({ SCANGATE_CACHE_DENYTTL: '0' })).toEqual([
      'cache.denyTTL: must be an integer between 1 and 86400 (got "0" from SCANGATE_CACHE_DENYTTL)',
    ]);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
  ])('reads the boolean %s', (text, value) => {
    expect(withEnv({ SCANGATE_REGISTRIES_ALLOWPRIVATENETWORKS: text }).registries.allowPrivateNetworks).toBe(value);
  });

  it('refuses other boolean spellings', () => {
    expect(errorsOf({ SCANGATE_POLICY_TAGS_DENYLATEST: 'yes' })).toEqual([
      'policy.tags.denyLatest: must be true or false (got "yes" from SCANGATE_POLICY_TAGS_DENYLATEST)',
    ]);
  });

  it('reads lists as comma-separated text', () => {
    const config = withEnv({ SCANGATE_ADMISSION_EXEMPTNAMESPACES: 'kube-system, monitoring,,cert-manager ' });
    expect(config.admission.exemptNamespaces).toEqual(['kube-system', 'monitoring', 'cert-manager']);
  });

  it('reads lists as a JSON array', () => {
    expect(
      withEnv({ SCANGATE_POLICY_DENIEDIMAGES: '["docker.io/library/busybox", "quay.io/x/*"]' }).policy.deniedImages,
    ).toEqual(['docker.io/library/busybox', 'quay.io/x/*']);
  });

  it('reads an empty list variable as an empty list', () => {
    expect(withEnv({ SCANGATE_ADMISSION_EXEMPTNAMESPACES: '' }).admission.exemptNamespaces).toEqual([]);
    expect(withEnv({ SCANGATE_ADMISSION_EXEMPTNAMESPACES: '[]' }).admission.exemptNamespaces).toEqual([]);
  });

  it('names the variable when a JSON array does not parse or holds non-strings', () => {
    expect(errorsOf({ SCANGATE_POLICY_ALLOWEDIMAGES: '["a",' })).toEqual([
      expect.stringMatching(/^policy\.allowedImages: must be a JSON array: .* \(from SCANGATE_POLICY_ALLOWEDIMAGES\)$/),
    ]);
    expect(errorsOf({ SCANGATE_POLICY_ALLOWEDIMAGES: '[1]' })).toEqual([
      'policy.allowedImages: each entry must be a non-empty string without spaces; not 1 (got "[1]" from SCANGATE_POLICY_ALLOWEDIMAGES)',
    ]);
  });

  it('reads admission.namespaces as JSON, checked like the file', () => {
    const config = withEnv({
      SCANGATE_ADMISSION_NAMESPACES: '[{"names":["team-*"],"mode":"warn","policy":{"tags":{"requireDigest":true}}}]',
    });
    expect(config.admission.namespaces).toEqual([
      { names: ['team-*'], labels: {}, mode: 'warn', policy: { tags: { denyLatest: true, requireDigest: true } } },
    ]);
    expect(errorsOf({ SCANGATE_ADMISSION_NAMESPACES: '[{"names":["a"],"mode":"off"}]' })).toEqual([
      'admission.namespaces[0].mode: must be one of enforce, warn, audit (got "off" from SCANGATE_ADMISSION_NAMESPACES)',
    ]);
    expect(errorsOf({ SCANGATE_ADMISSION_NAMESPACES: '{names: a}' })).toEqual([
      expect.stringMatching(/^admission\.namespaces: must be JSON: .*\(from SCANGATE_ADMISSION_NAMESPACES\)$/),
    ]);
  });

  it('takes strings and enums as written', () => {
    const config = withEnv({
      SCANGATE_ADMISSION_MODE: 'warn',
      SCANGATE_SERVER_HOST: '127.0.0.1',
      SCANGATE_LOG_LEVEL: 'debug',
    });
    expect(config.admission.mode).toBe('warn');
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.log.level).toBe('debug');
  });

  it('ignores an empty scalar variable', () => {
    const config = withEnv({ SCANGATE_ADMISSION_MODE: '', SCANGATE_CACHE_ALLOWTTL: '', SCANGATE_ADMIN_TOKEN: '' });
    expect(config.admission.mode).toBe('enforce');
    expect(config.cache.allowTTL).toBe(300);
    expect(loadConfig({ env: { SCANGATE_ADMIN_TOKEN: '' } }).adminTokenGenerated).toBe(true);
  });

  it('creates the sections a variable needs', () => {
    const config = withEnv({ SCANGATE_REDIS_URL: 'redis://r:6379', SCANGATE_REDIS_PREFIX: 'sg' });
    expect(config.redis).toEqual({ mode: 'standalone', url: 'redis://r:6379', prefix: 'sg', commandTimeoutMs: 200 });
  });

  it('requires redis.url when only another redis key is set', () => {
    expect(errorsOf({ SCANGATE_REDIS_PREFIX: 'sg' })).toEqual([
      'redis.url: is required (or redis.sentinels with redis.sentinelName, or redis.cluster)',
    ]);
  });
});

describe('precedence over the file', () => {
  it('overrides one key of a section and keeps the file for the others', () => {
    const { config } = load(
      dir,
      { admission: { mode: 'audit', waitBudgetMs: 2000 } },
      { SCANGATE_ADMISSION_MODE: 'warn' },
    );
    expect(config.admission.mode).toBe('warn');
    expect(config.admission.waitBudgetMs).toBe(2000);
  });

  it('replaces a list of the file', () => {
    const { config } = load(
      dir,
      { admission: { exemptNamespaces: ['a', 'b'] } },
      { SCANGATE_ADMISSION_EXEMPTNAMESPACES: 'c' },
    );
    expect(config.admission.exemptNamespaces).toEqual(['c']);
  });

  it('does not apply an override under a section the file gave as a scalar, and reports the file', () => {
    expect(issueLines(loadError(dir, { cache: 'none' }, { SCANGATE_CACHE_ALLOWTTL: '5' }))).toEqual([
      'cache: must be a mapping (got "none")',
    ]);
  });
});
