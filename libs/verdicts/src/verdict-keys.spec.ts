import { hashTaggedPrefix, MAX_READABLE_REFERENCE, VerdictKeys } from './verdict-keys';

describe('hashTaggedPrefix', () => {
  it.each([
    ['scangate', '{scangate}'],
    ['{scangate}', '{scangate}'],
    ['prod{scangate}', 'prod{scangate}'],
    ['{}scangate', '{{}scangate}'],
    ['sg}{', '{sg}{}'],
  ])('%s → %s', (prefix, tagged) => {
    expect(hashTaggedPrefix(prefix)).toBe(tagged);
  });
});

describe('VerdictKeys', () => {
  const keys = new VerdictKeys('scangate');
  const digest = `sha256:${'a'.repeat(64)}`;

  it('lays out verdict, tag memo, failure and channel names under the hash-tagged prefix', () => {
    expect(keys.verdict({ digest, analyzer: 'clair', fingerprint: '3f2a' })).toBe(`{scangate}:v:clair:3f2a:${digest}`);
    expect(keys.tag('docker.io/library/nginx:1.27')).toBe('{scangate}:t:docker.io/library/nginx:1.27');
    expect(keys.tag('localhost:5000/app@sha256:abc')).toBe('{scangate}:t:localhost:5000/app@sha256:abc');
    expect(keys.failure('0f'.repeat(32))).toBe(`{scangate}:e:${'0f'.repeat(32)}`);
    expect(keys.channel).toBe('{scangate}:events');
    expect(keys.base).toBe('{scangate}:');
  });

  it('percent-encodes ":" and glob characters inside parts, so patterns match exactly', () => {
    expect(keys.verdict({ digest, analyzer: 'my:analyzer', fingerprint: 'a*b?[c]' })).toBe(
      `{scangate}:v:my%3Aanalyzer:a%2Ab%3F%5Bc%5D:${digest}`,
    );
    expect(keys.tag('weird ref*')).toBe('{scangate}:t:weird%20ref%2A');
  });

  it('hashes references longer than a readable key', () => {
    const long = `registry.example.com/${'x'.repeat(MAX_READABLE_REFERENCE)}:v1`;
    expect(keys.tag(long)).toMatch(/^\{scangate\}:t:#[0-9a-f]{64}$/);
    expect(keys.tag(long)).not.toBe(keys.tag(`${long}2`));
  });

  it('builds SCAN patterns with the prefix escaped', () => {
    expect(keys.allVerdicts).toBe('{scangate}:v:*');
    expect(keys.allTags).toBe('{scangate}:t:*');
    expect(keys.verdictsOfDigest(digest)).toBe(`{scangate}:v:*:*:${digest}`);
    expect(new VerdictKeys('a*b').allVerdicts).toBe('{a\\*b}:v:*');
  });
});
