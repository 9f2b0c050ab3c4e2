import { matchesDigestPattern, validateDigest } from './digest';
import { isDomainAndPort } from './domain';
import { goToLowerChanges, goToLowerForGrammar } from './go-lowercase';
import { matchName, matchReference } from './reference-grammar';
import { isRemoteName } from './remote-name';
import { isTag } from './tag';

const H64 = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';

/** Runs a recogniser on a substring framed by characters it must not look at. */
function framed(recognise: (s: string, start: number, end: number) => boolean, value: string): boolean {
  const frame = '[/:@';
  return recognise(frame + value + frame, frame.length, frame.length + value.length);
}

describe('isRemoteName: path-component ("/" path-component)*', () => {
  it.each(['a', '0', 'a/b', 'a.b', 'a_b', 'a__b', 'a-b', 'a---b', 'a/b.c/d_e/f__g/h-i', 'a1.b2_c3__d4--e5'])(
    'accepts %s',
    (name) => {
      expect(framed(isRemoteName, name)).toBe(true);
    },
  );

  it.each([
    '',
    '/',
    'a/',
    '/a',
    'a//b',
    'A',
    'a..b',
    'a___b',
    'a._b',
    'a_.b',
    'a-_b',
    'a_-b',
    'a.-b',
    '-a',
    'a-',
    '_a',
    'a_',
    '.a',
    'a.',
    'a:b',
    'é',
  ])('rejects %j', (name) => expect(framed(isRemoteName, name)).toBe(false));
});

describe('isDomainAndPort: host [":" port]', () => {
  it.each([
    'a',
    'localhost',
    'example.com',
    'Example.COM',
    'a-b.c',
    'a--b.c',
    '1.2.3.4',
    'a:1',
    'example.com:5000',
    '[::1]',
    '[::1]:5000',
    '[2001:DB8::1]',
    '[:::::]',
  ])('accepts %s', (domain) => expect(framed(isDomainAndPort, domain)).toBe(true));

  it.each([
    '',
    '-a',
    'a-',
    'a.',
    '.a',
    'a..b',
    'a_b',
    'a:',
    'a:x',
    'a:1:2',
    ':1',
    '[]',
    '[::1',
    '[::1]:',
    '[::1]x',
    '[g]',
    '[::1%eth0]',
    'é.com',
  ])('rejects %j', (domain) => expect(framed(isDomainAndPort, domain)).toBe(false));
});

describe('isTag: [\\w][\\w.-]{0,127}', () => {
  it.each(['a', '_', '0', 'A.b-C_d', 'a'.repeat(128)])('accepts %s', (tag) => expect(framed(isTag, tag)).toBe(true));
  it.each(['', '.a', '-a', 'a'.repeat(129), 'a b', 'a:b', 'é'])('rejects %j', (tag) =>
    expect(framed(isTag, tag)).toBe(false),
  );
});

describe('matchesDigestPattern: algorithm ":" [[:xdigit:]]{32,}', () => {
  it.each([`sha256:${H64}`, `SHA256:${H64.toUpperCase()}`, `a:${H64.slice(0, 32)}`, `sha256+b64.x_y-z:${H64}`])(
    'accepts %s',
    (d) => expect(framed(matchesDigestPattern, d)).toBe(true),
  );
  it.each([
    '',
    'sha256',
    `sha256:${H64.slice(0, 31)}`,
    `:${H64}`,
    `1a:${H64}`,
    `a-:${H64}`,
    `a-1:${H64}`,
    `a::${H64}`,
    `sha256:${H64}g`,
  ])('rejects %j', (d) => expect(framed(matchesDigestPattern, d)).toBe(false));
});

describe('validateDigest: go-digest Digest.Validate', () => {
  const validate = (d: string) => validateDigest(`@${d}@`, 1, d.length + 1);
  it.each([
    [`sha256:${H64}`, undefined],
    [`sha256:${H64.slice(1)}`, 'length'],
    [`sha256:${H64.toUpperCase()}`, 'format'],
    [`sha384:${H64}`, 'length'],
    [`sha512:${H64}`, 'length'],
    ['md5:abc', 'unsupported'],
    ['a.b+c_d-e:abc=_-', 'unsupported'],
    ['MD5:abc', 'format'],
    ['md5:ab:c', 'format'],
    ['md5:', 'format'],
    [':abc', 'format'],
    ['sha256', 'format'],
    ['', 'format'],
  ])('%j → %s', (digest, problem) => expect(validate(digest)).toBe(problem));
});

describe("Go's strings.ToLower, as the parser needs it", () => {
  it.each([
    ['abc', false],
    ['aBc', true],
    ['é', false],
    ['É', true],
    ['İ', true],
    ['\u212a', true],
    ['🐳', false],
    ['\ud83d', false], // a lone surrogate reaches Go as U+FFFD, which ToLower keeps
    ['Σ', true],
  ])('%j changes: %s', (s, changes) => expect(goToLowerChanges(`A${s}A`, 1, s.length + 1)).toBe(changes));

  it('lowers to what an ASCII grammar sees', () => {
    expect(goToLowerForGrammar('AbC/İ\u212aÉ')).toBe('abc/ikÉ');
    const unchanged = 'abc/é';
    expect(goToLowerForGrammar(unchanged)).toBe(unchanged);
  });
});

describe('matchReference: the captures of ReferenceRegexp', () => {
  it('finds name, tag and digest', () => {
    const s = `example.com:5000/a/b:t@sha256:${H64}`;
    const match = matchReference(s);
    expect(match.ok).toBe(true);
    if (!match.ok) return;
    expect({
      name: s.slice(0, match.nameEnd),
      domain: s.slice(0, match.pathStart - 1),
      tag: s.slice(match.tagStart, match.tagEnd),
      digest: s.slice(match.digestStart),
    }).toEqual({ name: 'example.com:5000/a/b', domain: 'example.com:5000', tag: 't', digest: `sha256:${H64}` });
  });

  it.each([
    ['a..b', 'name'],
    ['a:-', 'tag'],
    ['a@x', 'digest'],
    ['a/B:-@x', 'name'], // the first failing part, in the order name, tag, digest
    ['a:-@x', 'tag'],
  ])('%s fails in its %s', (s, part) => expect(matchReference(s)).toEqual({ ok: false, part }));

  it('takes the first component as the domain only when it is a host and the rest a path', () => {
    expect(matchName('a.b/c', 0, 5)).toBe(4);
    expect(matchName('a_b.c/d', 0, 7)).toBe(0); // no domain: the whole name is a path
    expect(matchName('a:1/c', 0, 5)).toBe(4);
    expect(matchName('a:1', 0, 3)).toBe(-1);
  });
});
