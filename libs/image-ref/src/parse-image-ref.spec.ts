import {
  ImageRefError,
  type ImageRefErrorCode,
  MAX_REFERENCE_INPUT_LENGTH,
  describeReference,
  isDigestPinned,
  parseCanonicalImageRef,
  parseImageRef,
  repositoryOf,
  tryParseCanonicalImageRef,
  tryParseImageRef,
} from './index';

const H64 = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';
const H96 = '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b';
const H128 =
  'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e';

function errorOf(input: string, parse: (input: string) => unknown = parseImageRef): ImageRefError {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof ImageRefError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(input)} parsed`);
}

describe('parseImageRef: Docker Hub normalisation', () => {
  it.each([
    // input, name, familiar, canonical
    ['ubuntu', 'docker.io/library/ubuntu', 'ubuntu', 'docker.io/library/ubuntu:latest'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu', 'ubuntu:22.04', 'docker.io/library/ubuntu:22.04'],
    ['library/ubuntu', 'docker.io/library/ubuntu', 'ubuntu', 'docker.io/library/ubuntu:latest'],
    ['user/app', 'docker.io/user/app', 'user/app', 'docker.io/user/app:latest'],
    ['docker.io/x', 'docker.io/library/x', 'x', 'docker.io/library/x:latest'],
    ['docker.io/user/app', 'docker.io/user/app', 'user/app', 'docker.io/user/app:latest'],
    ['index.docker.io/x', 'docker.io/library/x', 'x', 'docker.io/library/x:latest'],
    ['index.docker.io/library/x', 'docker.io/library/x', 'x', 'docker.io/library/x:latest'],
    ['index.docker.io/user/app:1', 'docker.io/user/app', 'user/app:1', 'docker.io/user/app:1'],
    // `library/` is only dropped when nothing nested follows it
    ['library/a/b', 'docker.io/library/a/b', 'library/a/b', 'docker.io/library/a/b:latest'],
    // only the exact legacy host is rewritten
    ['INDEX.docker.io/x', 'INDEX.docker.io/x', 'INDEX.docker.io/x', 'INDEX.docker.io/x:latest'],
    ['index.docker.io:443/x', 'index.docker.io:443/x', 'index.docker.io:443/x', 'index.docker.io:443/x:latest'],
    [
      'registry-1.docker.io/library/nginx',
      'registry-1.docker.io/library/nginx',
      'registry-1.docker.io/library/nginx',
      'registry-1.docker.io/library/nginx:latest',
    ],
  ])('%s', (input, name, familiar, canonical) => {
    const ref = parseImageRef(input);
    expect({ name: ref.name, familiar: ref.familiar, canonical: ref.canonical, input: ref.input }).toEqual({
      name,
      familiar,
      canonical,
      input,
    });
  });

  it('splits domain and path', () => {
    expect(parseImageRef('nginx')).toMatchObject({ domain: 'docker.io', path: 'library/nginx' });
    expect(parseImageRef('quay.io/org/team/app')).toMatchObject({ domain: 'quay.io', path: 'org/team/app' });
  });
});

describe('parseImageRef: which first component is a domain', () => {
  it.each([
    ['localhost/x', 'localhost', 'x'],
    ['localhost:5000/x', 'localhost:5000', 'x'],
    ['example.com/x', 'example.com', 'x'], // contains '.'
    ['example:5000/x', 'example:5000', 'x'], // contains ':'
    ['Foo/bar', 'Foo', 'bar'], // not all lowercase
    ['Example.COM:8443/a/b', 'Example.COM:8443', 'a/b'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000', 'x'],
    ['foo/bar', 'docker.io', 'foo/bar'], // none of the above
  ])('%s → domain %s, path %s', (input, domain, path) => {
    expect(parseImageRef(input)).toMatchObject({ domain, path, name: `${domain}/${path}` });
  });

  it('keeps localhost and its port on a name without "/" as Docker Hub names (Go does too)', () => {
    expect(parseImageRef('localhost')).toMatchObject({ name: 'docker.io/library/localhost' });
    expect(parseImageRef('localhost:5000')).toMatchObject({ name: 'docker.io/library/localhost', tag: '5000' });
  });

  it('parses a name whose first component is a valid path but not a valid host with no domain', () => {
    expect(parseImageRef('a_b.c/foo')).toEqual({
      input: 'a_b.c/foo',
      name: 'a_b.c/foo',
      domain: '',
      path: 'a_b.c/foo',
      familiar: 'a_b.c/foo',
      canonical: 'a_b.c/foo:latest',
    });
  });

  it.each([
    '-foo.com/x',
    'foo-.com/x',
    'foo..com/x',
    '.foo.com/x',
    'foo.com./x',
    'example.com:/x',
    'example.com:abc/x',
    'a:1:2/x',
  ])('rejects the malformed host %s', (input) => expect(errorOf(input).code).toBe('INVALID_FORMAT'));
});

describe('parseImageRef: IPv6 hosts and ports', () => {
  it.each([
    ['[::1]/x', '[::1]'],
    ['[::1]:5000/x', '[::1]:5000'],
    ['[2001:db8::1]:5000/a/b', '[2001:db8::1]:5000'],
    ['[2001:DB8::1]/x', '[2001:DB8::1]'],
    ['[:::::]/x', '[:::::]'], // Go checks only the alphabet
  ])('%s → %s', (input, domain) => {
    expect(parseImageRef(input).domain).toBe(domain);
  });

  it('keeps tag and digest after an IPv6 host with a port', () => {
    expect(parseImageRef(`[::1]:5000/x:t@sha256:${H64}`)).toMatchObject({
      domain: '[::1]:5000',
      path: 'x',
      tag: 't',
      digest: `sha256:${H64}`,
    });
  });

  it.each([
    '[]/x',
    '[::1/x',
    '[::1]x/y',
    '[::1]:/x',
    '[fe80::1%eth0]/x',
    '[g::1]/x',
    '[::ffff:1.2.3.4]/x',
    '[[::1]]/x',
  ])('rejects %s', (input) => expect(tryParseImageRef(input).ok).toBe(false));

  it('treats a bare "::1/x" as a (malformed) host', () => {
    expect(errorOf('::1/x').code).toBe('INVALID_FORMAT');
  });
});

describe('parseImageRef: tags', () => {
  it.each(['x:_', 'x:0', 'x:T', 'x:1.0-RC_2', `x:a${'b'.repeat(127)}`])('accepts %s', (input) => {
    expect(parseImageRef(input).tag).toBe(input.slice(2));
  });

  it('splits the tag at the first ":" after the last "/": x:t/x is a bad name, not a bad tag', () => {
    expect(errorOf('x:t/x').code).toBe('INVALID_FORMAT');
  });

  it.each(['x:', 'x:.t', 'x:-t', 'x:t:t', `x:a${'b'.repeat(128)}`, 'x:té', 'x:ta g'])('TAG_INVALID for %s', (input) => {
    const error = errorOf(input);
    expect([error.code, error.message]).toEqual(['TAG_INVALID', 'invalid reference format']);
  });

  it('adds :latest to canonical only when there is neither tag nor digest', () => {
    expect(parseImageRef('x').canonical).toBe('docker.io/library/x:latest');
    expect(parseImageRef('x:1').canonical).toBe('docker.io/library/x:1');
    expect(parseImageRef(`x@sha256:${H64}`).canonical).toBe(`docker.io/library/x@sha256:${H64}`);
  });

  it('keeps both tag and digest when both are given', () => {
    const ref = parseImageRef(`x:1.0@sha256:${H64}`);
    expect(ref).toMatchObject({ tag: '1.0', digest: `sha256:${H64}` });
    expect(ref.canonical).toBe(`docker.io/library/x:1.0@sha256:${H64}`);
    expect(ref.familiar).toBe(`x:1.0@sha256:${H64}`);
  });
});

describe('parseImageRef: digests', () => {
  it.each([
    ['sha256', H64],
    ['sha384', H96],
    ['sha512', H128],
  ])('accepts %s with its hex length', (algorithm, hex) => {
    expect(parseImageRef(`x@${algorithm}:${hex}`).digest).toBe(`${algorithm}:${hex}`);
  });

  it.each<[string, ImageRefErrorCode, string]>([
    [`x@sha256:${H64.slice(1)}`, 'DIGEST_INVALID_LENGTH', 'invalid checksum digest length'],
    [`x@sha256:${H64}0`, 'DIGEST_INVALID_LENGTH', 'invalid checksum digest length'],
    [`x@sha384:${H64}`, 'DIGEST_INVALID_LENGTH', 'invalid checksum digest length'],
    [`x@sha512:${H96}`, 'DIGEST_INVALID_LENGTH', 'invalid checksum digest length'],
    [`x@sha256:${H64.toUpperCase()}`, 'DIGEST_INVALID_FORMAT', 'invalid checksum digest format'], // go-digest: lowercase hex only
    [`x:t@SHA256:${H64}`, 'DIGEST_INVALID_FORMAT', 'invalid checksum digest format'], // unknown and not lowercase
    [`x@md5:${H64.slice(0, 32)}`, 'DIGEST_UNSUPPORTED', 'unsupported digest algorithm'],
    [`x@blake3:${H64}`, 'DIGEST_UNSUPPORTED', 'unsupported digest algorithm'],
    [`x@sha256+b64:${H64}`, 'DIGEST_UNSUPPORTED', 'unsupported digest algorithm'],
    // the reference grammar itself: ≥ 32 hex, algorithm components start with a letter
    [`x@sha256:${H64.slice(0, 31)}`, 'DIGEST_INVALID_FORMAT', 'invalid reference format'],
    [`x@sha256:${H64.slice(0, 63)}g`, 'DIGEST_INVALID_FORMAT', 'invalid reference format'],
    [`x@1sha:${H64}`, 'DIGEST_INVALID_FORMAT', 'invalid reference format'],
    [`x@sha3-256:${H64}`, 'DIGEST_INVALID_FORMAT', 'invalid reference format'], // "256" starts with a digit
    [`x@sha256-:${H64}`, 'DIGEST_INVALID_FORMAT', 'invalid reference format'],
    ['x@', 'DIGEST_INVALID_FORMAT', 'invalid reference format'],
    [`x@sha256:${H64}@sha256:${H64}`, 'DIGEST_INVALID_FORMAT', 'invalid reference format'],
  ])('%s → %s', (input, code, message) => {
    const error = errorOf(input);
    expect([error.code, error.message]).toEqual([code, message]);
  });

  it('checks the path for uppercase up to the first ":", which may be inside the digest (as Go does)', () => {
    // No tag: the remote Go checks is "library/x@SHA256"; with a tag the digest is checked by go-digest.
    expect(errorOf(`x@SHA256:${H64}`).message).toBe(
      'invalid reference format: repository name (library/x@SHA256) must be lowercase',
    );
  });
});

describe('parseImageRef: every error code', () => {
  it.each<[string, ImageRefErrorCode, string]>([
    ['', 'NAME_EMPTY', 'invalid reference format'],
    [
      'a'.repeat(MAX_REFERENCE_INPUT_LENGTH + 1),
      'REFERENCE_TOO_LONG',
      `invalid reference format: longer than ${MAX_REFERENCE_INPUT_LENGTH} characters`,
    ],
    ['a..b', 'INVALID_FORMAT', 'invalid reference format'],
    ['ubu ntu', 'INVALID_FORMAT', 'invalid reference format'],
    ['a'.repeat(256), 'NAME_TOO_LONG', 'repository name must not be more than 255 characters'],
    [
      'Ubuntu',
      'NAME_CONTAINS_UPPERCASE',
      'invalid reference format: repository name (library/Ubuntu) must be lowercase',
    ],
    ['user/App', 'NAME_CONTAINS_UPPERCASE', 'invalid reference format: repository name (user/App) must be lowercase'],
    ['A_B.c/foo', 'NAME_CONTAINS_UPPERCASE', 'repository name must be lowercase'], // reference.Parse's own retry in lowercase
    [H64, 'NAME_IS_HEX_ID', `invalid repository name (${H64}), cannot specify 64-byte hexadecimal strings`],
    ['x:-t', 'TAG_INVALID', 'invalid reference format'],
    [`x@sha256:${H64.toUpperCase()}`, 'DIGEST_INVALID_FORMAT', 'invalid checksum digest format'],
    [`x@sha256:${H64}0`, 'DIGEST_INVALID_LENGTH', 'invalid checksum digest length'],
    [`x@sha1:${H64.slice(0, 40)}`, 'DIGEST_UNSUPPORTED', 'unsupported digest algorithm'],
  ])('%s → %s', (input, code, message) => {
    const error = errorOf(input);
    expect(error).toBeInstanceOf(ImageRefError);
    expect({ code: error.code, message: error.message, input: error.input, name: error.name }).toEqual({
      code,
      message,
      input,
      name: 'ImageRefError',
    });
  });

  it('NAME_NOT_CANONICAL from parseCanonicalImageRef (reference.ParseNamed)', () => {
    const error = errorOf('nginx:1.25', parseCanonicalImageRef);
    expect([error.code, error.message]).toEqual(['NAME_NOT_CANONICAL', 'repository name must be canonical']);
  });
});

describe('parseImageRef: the lowercase rules', () => {
  it('allows uppercase in the domain and the tag, not in the path', () => {
    expect(parseImageRef('EXAMPLE.com/x:TAG')).toMatchObject({ domain: 'EXAMPLE.com', tag: 'TAG' });
    expect(errorOf('example.com/X').code).toBe('NAME_CONTAINS_UPPERCASE');
  });

  it('lowercases like Go: non-ASCII capitals count as uppercase, İ and K lower to ASCII', () => {
    expect(errorOf('x/Éa').message).toBe('invalid reference format: repository name (x/Éa) must be lowercase');
    expect(errorOf('İ.com/x').message).toBe('repository name must be lowercase'); // i.com/x would parse
    expect(errorOf('\u212a/x').message).toBe('repository name must be lowercase'); // a domain (not lowercase); k/x would parse
    expect(errorOf('É.com/x').message).toBe('invalid reference format'); // é is no better
  });
});

describe('parseImageRef: limits', () => {
  it('counts 255 characters of path, without the domain', () => {
    expect(parseImageRef(`a/${'b'.repeat(253)}`).path).toHaveLength(255);
    expect(errorOf(`a/${'b'.repeat(254)}`).code).toBe('NAME_TOO_LONG');
    expect(parseImageRef(`example.com/${'a'.repeat(255)}`).path).toHaveLength(255);
    expect(errorOf(`example.com/${'a'.repeat(256)}`).code).toBe('NAME_TOO_LONG');
    expect(parseImageRef(`library/${'a'.repeat(247)}`).path).toHaveLength(255);
    expect(errorOf('a'.repeat(248)).code).toBe('NAME_TOO_LONG'); // library/ + 248 = 256
  });

  it('accepts a long domain below the input cap, and refuses any input over the cap before parsing', () => {
    expect(parseImageRef(`${'a'.repeat(3000)}.com/x`).domain).toHaveLength(3004);
    const atCap = `${'a'.repeat(MAX_REFERENCE_INPUT_LENGTH - 6)}.com/x`;
    expect(atCap).toHaveLength(MAX_REFERENCE_INPUT_LENGTH);
    expect(parseImageRef(atCap).path).toBe('x');
    expect(errorOf(`a${atCap}`).code).toBe('REFERENCE_TOO_LONG');
  });
});

describe('tryParseImageRef', () => {
  it('returns the reference or the error, never throws', () => {
    expect(tryParseImageRef('nginx')).toEqual({ ok: true, ref: parseImageRef('nginx') });
    const failed = tryParseImageRef('a..b');
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error.code).toBe('INVALID_FORMAT');
  });

  it('refuses a value that is not a string (untrusted JSON) without throwing', () => {
    const failed = tryParseImageRef(42 as unknown as string);
    expect(!failed.ok && [failed.error.code, failed.error.input]).toEqual(['INVALID_FORMAT', '42']);
  });
});

describe('parseCanonicalImageRef (reference.ParseNamed)', () => {
  it.each(['docker.io/library/nginx', 'docker.io/library/nginx:1.25', `quay.io/a/b:t@sha256:${H64}`, 'a_b.c/foo'])(
    'accepts %s',
    (input) => {
      expect(parseCanonicalImageRef(input)).toEqual(parseImageRef(input));
    },
  );

  it.each(['nginx', 'docker.io/nginx', 'index.docker.io/library/nginx', 'user/app:1'])(
    'NAME_NOT_CANONICAL for %s',
    (input) => {
      const result = tryParseCanonicalImageRef(input);
      expect(!result.ok && result.error.code).toBe('NAME_NOT_CANONICAL');
    },
  );

  it('reports parse errors before canonical form', () => {
    expect(errorOf('Ubuntu', parseCanonicalImageRef).code).toBe('NAME_CONTAINS_UPPERCASE');
  });
});

describe('describeReference (`scangate ref parse`)', () => {
  it('prints the fields in order, omitting an absent tag or digest', () => {
    expect(JSON.stringify(describeReference('nginx'))).toBe(
      '{"input":"nginx","name":"docker.io/library/nginx","domain":"docker.io","path":"library/nginx","familiar":"nginx","canonical":"docker.io/library/nginx:latest"}',
    );
    expect(Object.keys(describeReference(`q.io/x:1@sha256:${H64}`))).toEqual([
      'input',
      'name',
      'domain',
      'path',
      'tag',
      'digest',
      'familiar',
      'canonical',
    ]);
    expect(Object.keys(describeReference(`x@sha256:${H64}`))).toEqual([
      'input',
      'name',
      'domain',
      'path',
      'digest',
      'familiar',
      'canonical',
    ]);
  });

  it('prints the input and the error message on failure', () => {
    expect(JSON.stringify(describeReference('x:'))).toBe('{"input":"x:","error":"invalid reference format"}');
  });
});

describe('helpers', () => {
  it('isDigestPinned: a digest, with or without a tag', () => {
    expect(isDigestPinned(parseImageRef(`x@sha256:${H64}`))).toBe(true);
    expect(isDigestPinned(parseImageRef(`x:1@sha256:${H64}`))).toBe(true);
    expect(isDigestPinned(parseImageRef('x:1'))).toBe(false);
  });

  it('repositoryOf: the fully qualified name', () => {
    expect(repositoryOf(parseImageRef('nginx:1.25'))).toBe('docker.io/library/nginx');
    expect(repositoryOf(parseImageRef('localhost:5000/a/b@sha256:' + H64))).toBe('localhost:5000/a/b');
  });
});
