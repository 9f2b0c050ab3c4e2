import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeConfigKeys, envName } from './config-keys';
import { loadConfig } from './load-config';

const KEYS = describeConfigKeys();

describe('describeConfigKeys', () => {
  it('lists every key of the file with its variable, type and default', () => {
    const byKey = new Map(KEYS.map((k) => [k.key, k]));
    expect(byKey.get('cache.allowTTL')).toEqual({
      key: 'cache.allowTTL',
      env: 'SCANGATE_CACHE_ALLOWTTL',
      type: 'integer',
      default: '300',
      range: '1–86400',
      description: expect.any(String),
      secret: false,
    });
    expect(byKey.get('admin.token')).toMatchObject({ secret: true, type: 'string' });
    expect(byKey.get('admin.token')?.default).toBeUndefined();
    expect(byKey.get('admission.mode')).toMatchObject({
      type: 'enum',
      default: '"enforce"',
      range: 'enforce | warn | audit',
    });
    expect(byKey.get('admission.exemptNamespaces')).toMatchObject({
      type: 'list of strings',
      default: '["kube-system"]',
    });
    expect(byKey.get('analyzer.clair.maxSeverity')).toMatchObject({ default: '"High"' });
    expect(byKey.get('admission.namespaces[].policy.tags.denyLatest')).toMatchObject({ type: 'boolean' });
  });

  it('agrees with the embedded defaults loadConfig produces', () => {
    const { config } = loadConfig({ env: {} });
    // keys of optional sections (redis, analyzer.anchore, analyzer.clair) are checked in load-config.spec
    const optionalSections = ['redis.', 'analyzer.anchore.', 'analyzer.clair.'];
    const checked = KEYS.filter(
      (info) =>
        info.default !== undefined && !info.key.includes('[]') && !optionalSections.some((p) => info.key.startsWith(p)),
    );
    for (const info of checked) {
      const value = info.key
        .split('.')
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], config);
      expect([info.key, value]).toEqual([info.key, JSON.parse(info.default ?? 'null')]);
    }
    expect(checked.length).toBeGreaterThanOrEqual(25);
  });

  it('names variables with envName', () => {
    expect(envName(['server', 'tls', 'clientCAFile'])).toBe('SCANGATE_SERVER_TLS_CLIENTCAFILE');
  });
});

describe('README.md', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it.each(KEYS.map((k) => [k.key, k] as const))('documents %s with its variable and default', (_key, info) => {
    const start = `| \`${info.key}\` | ${info.env ? `\`${info.env}\`` : '—'} |`;
    const row = readme.split('\n').find((line) => line.startsWith(start));
    expect(row).toBeDefined();
    expect(row).toContain(info.default === undefined ? ' — ' : `\`${info.default.replaceAll('|', '\\|')}\``);
  });
});
