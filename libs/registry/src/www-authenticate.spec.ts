import { parseWwwAuthenticate } from './www-authenticate';

describe('parseWwwAuthenticate', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it('reads Basic, token68-free unquoted values, several challenges and escapes', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(parseWwwAuthenticate(['Basic realm=x', 'Bearer realm="a\\"b", error=invalid_token'])).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'a"b', error: 'invalid_token' } },
    ]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    // Garbage yields no Bearer or Basic challenge (so no credentials are sent), and never throws.
    expect(parseWwwAuthenticate('="x", ,').map((c) => c.scheme)).not.toContain('bearer');
    expect(parseWwwAuthenticate('Bearer realm="unterminated')).toEqual([
      { scheme: 'bearer', params: { realm: 'unterminated' } },
    ]);
  });
});
