import { DockerCredentials, credentialKey } from './docker-config';

describe('DockerCredentials', () => {
  it('reads auth (base64), username/password and identitytoken, keyed like docker login', () => {
    const credentials = DockerCredentials.fromJson({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pa:ss').toString('base64') },
        'registry.example.com:5000': { username: 'u', password: 'p' },
        'https://acr.example.io': { identitytoken: 'refresh-me', username: '00000000-0000-0000-0000-000000000000' },
        'empty.example': {},
      },
    });
    expect(credentials.forRegistry('docker.io')).toEqual({ kind: 'basic', username: 'hub', password: 'pa:ss' });
    expect(credentials.forRegistry('registry.example.com:5000')).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    });
    expect(credentials.forRegistry('acr.example.io')).toEqual({
      kind: 'identity-token',
      identityToken: 'refresh-me',
      username: '00000000-0000-0000-0000-000000000000',
    });
    expect(credentials.forRegistry('empty.example')).toBeUndefined();
    expect(credentials.forRegistry('registry.example.com')).toBeUndefined();
  });

  it('names what is wrong with a malformed document', () => {
    expect(() => DockerCredentials.fromJson({})).toThrow('no "auths" object');
    expect(() =>
      DockerCredentials.fromJson({ auths: { x: { auth: Buffer.from('nocolon').toString('base64') } } }),
    ).toThrow('auths["x"].auth is not base64 of "user:password"');
    expect(() => DockerCredentials.fromFile('/nonexistent/config.json')).toThrow(
      'registries.dockerConfigFile: cannot read',
    );
  });

  it('normalises keys', () => {
    expect(credentialKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(credentialKey('registry-1.docker.io')).toBe('docker.io');
    expect(credentialKey('http://Reg.Example:5000/v2/')).toBe('reg.example:5000');
  });
});
