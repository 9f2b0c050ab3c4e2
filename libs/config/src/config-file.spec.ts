import { join } from 'node:path';
import { readConfigFile } from './config-file';
import { load, loadError, TempDir } from './config.testing';

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

describe('readConfigFile', () => {
  it('names a missing file', () => {
    const file = join(dir.path, 'absent.yaml');
    expect(readConfigFile(file)).toEqual({
      raw: {},
      issues: [{ key: file, message: 'cannot read the config file: no such file (ENOENT)' }],
    });
  });

  it('names the line and column of a YAML syntax error', () => {
    const file = dir.write('bad.yaml', 'cache:\n  allowTTL: 300\n  denyTTL: [30\n');
    const { issues } = readConfigFile(file);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.key).toMatch(new RegExp(`^${file.replaceAll('.', '\\.')}:\\d+:\\d+$`));
    expect(issues[0]?.message).toMatch(/^not valid YAML: /);
  });

  it('refuses duplicate keys', () => {
    const file = dir.write('dup.yaml', 'cache:\n  allowTTL: 300\n  allowTTL: 600\n');
    expect(readConfigFile(file).issues).toEqual([
      { key: `${file}:3:3`, message: expect.stringMatching(/^not valid YAML: Map keys must be unique/) },
    ]);
  });

  it('refuses a top level that is not a mapping', () => {
    const file = dir.write('list.yaml', '- a\n- b\n');
    expect(readConfigFile(file).issues).toEqual([
      { key: file, message: 'the top level must be a mapping (server:, cache:, …)' },
    ]);
  });

  it('reads JSON and YAML alike, anchors and merge keys included', () => {
    const json = dir.write('c.json', '{"cache": {"allowTTL": 10}}');
    expect(readConfigFile(json)).toEqual({ raw: { cache: { allowTTL: 10 } }, issues: [] });
    const yaml = dir.write('c.yaml', 'base: &b { allowTTL: 10 }\n');
    expect(readConfigFile(yaml).raw).toEqual({ base: { allowTTL: 10 } });
    const merged = dir.write('m.yaml', 'x: &ttl { denyTTL: 5 }\ncache:\n  <<: *ttl\n  allowTTL: 9\n');
    expect(readConfigFile(merged).raw['cache']).toEqual({ denyTTL: 5, allowTTL: 9 });
  });

  it('keeps YAML 1.2 types: yes is a string, not a boolean', () => {
    const file = dir.write('c.yaml', 'policy:\n  tags:\n    denyLatest: yes\n');
    expect(readConfigFile(file).raw).toEqual({ policy: { tags: { denyLatest: 'yes' } } });
  });

  it('drops null values and refuses keys that reach a prototype', () => {
    const file = dir.write('p.json', '{"cache": {"allowTTL": null, "__proto__": {"x": 1}}, "constructor": 1}');
    expect(readConfigFile(file)).toEqual({
      raw: { cache: {} },
      issues: [
        { key: 'cache.__proto__', message: 'unknown key' },
        { key: 'constructor', message: 'unknown key' },
      ],
    });
  });
});

describe('loading a file with problems', () => {
  it('reports a syntax error together with the environment problems', () => {
    const error = loadError(dir, 'cache: [', { SCANGATE_NOPE: '1' });
    expect(error.issues.map((i) => i.key)).toEqual([expect.stringMatching(/scangate\.yaml:\d+:\d+$/), 'SCANGATE_NOPE']);
  });

  it('still loads a file whose values are all null', () => {
    expect(load(dir, 'server:\ncache:\n').config.cache.allowTTL).toBe(300);
  });
});
