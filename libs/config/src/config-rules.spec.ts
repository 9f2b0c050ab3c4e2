import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { issueLines, load, loadError, TempDir } from './config.testing';
import { loadConfig } from './load-config';

let dir: TempDir;
beforeEach(() => {
  dir = new TempDir();
});
afterEach(() => dir.cleanup());

const CLAIR = { type: 'clair', clair: { url: 'http://clair:6060' } };
const ANCHORE = { type: 'anchore', anchore: { url: 'http://anchore:8228', username: 'admin' } };

describe('secret files', () => {
  it('reads admin.tokenFile, trimmed', () => {
    const tokenFile = dir.write('token', '  s3cret-token-from-a-secret-volume\n');
    const loaded = load(dir, { admin: { tokenFile } });
    expect(loaded.config.admin.token).toBe('s3cret-token-from-a-secret-volume');
    expect(loaded.adminTokenGenerated).toBe(false);
  });

  it('reads analyzer.anchore.passwordFile and analyzer.clair.pskFile', () => {
    const passwordFile = dir.write('password', 'foobar\n');
    const pskFile = dir.write('psk', 'c2VjcmV0\n');
    const anchore = load(dir, { analyzer: { ...ANCHORE, anchore: { ...ANCHORE.anchore, passwordFile } } });
    expect(anchore.config.analyzer.anchore?.password).toBe('foobar');
    const clair = load(dir, { analyzer: { ...CLAIR, clair: { ...CLAIR.clair, pskFile } } });
    expect(clair.config.analyzer.clair?.psk).toBe('c2VjcmV0');
  });

  it('takes the file from the environment too', () => {
    const tokenFile = dir.write('token', 'env-token-file-0123456789');
    expect(loadConfig({ env: { SCANGATE_ADMIN_TOKENFILE: tokenFile } }).config.admin.token).toBe(
      'env-token-file-0123456789',
    );
  });

  it('refuses a secret given both as a value and as a file', () => {
    const tokenFile = dir.write('token', 'x');
    const pskFile = dir.write('psk', 'c2VjcmV0');
    const error = loadError(dir, {
      admin: { token: 'inline-token', tokenFile },
      analyzer: { ...CLAIR, clair: { ...CLAIR.clair, psk: 'c2VjcmV0', pskFile } },
    });
    expect(error.issues).toEqual([
      { key: 'admin.tokenFile', message: 'give either admin.token or admin.tokenFile, not both' },
      { key: 'analyzer.clair.pskFile', message: 'give either analyzer.clair.psk or analyzer.clair.pskFile, not both' },
    ]);
  });

  it("lets an environment secret replace the file's, whichever form each uses", () => {
    const tokenFile = dir.write('token', 'token-from-file-0123456789');
    const viaFile = load(
      dir,
      { admin: { token: 'token-in-config-0123456789' } },
      { SCANGATE_ADMIN_TOKENFILE: tokenFile },
    );
    expect(viaFile.config.admin.token).toBe('token-from-file-0123456789');
    const viaValue = load(
      dir,
      { admin: { tokenFile: '/does/not/exist' } },
      { SCANGATE_ADMIN_TOKEN: 'token-in-env-0123456789' },
    );
    expect(viaValue.config.admin.token).toBe('token-in-env-0123456789');
  });

  it('refuses both forms from the environment', () => {
    const tokenFile = dir.write('token', 'x');
    expect(
      issueLines(loadError(dir, undefined, { SCANGATE_ADMIN_TOKEN: 'abc', SCANGATE_ADMIN_TOKENFILE: tokenFile })),
    ).toEqual([
      'admin.tokenFile: give either admin.token or admin.tokenFile, not both (from SCANGATE_ADMIN_TOKENFILE)',
    ]);
  });

  it('names the key of a missing, unreadable, empty or malformed secret file', () => {
    const empty = dir.write('empty', ' \n');
    const folder = join(dir.path, 'folder');
    mkdirSync(folder);
    const badPsk = dir.write('psk', 'not base64!');
    const error = loadError(dir, {
      admin: { tokenFile: join(dir.path, 'missing') },
      analyzer: { type: 'clair', clair: { url: 'http://clair:6060', pskFile: badPsk } },
    });
    expect(error.issues).toEqual([
      { key: 'admin.tokenFile', message: `cannot read ${join(dir.path, 'missing')}: no such file (ENOENT)` },
      {
        key: 'analyzer.clair.pskFile',
        message: `the content of ${badPsk} must be standard base64 (the same value as Clair's auth.psk.key)`,
      },
    ]);
    expect(loadError(dir, { admin: { tokenFile: empty } }).issues).toEqual([
      { key: 'admin.tokenFile', message: `${empty} is empty` },
    ]);
    expect(loadError(dir, { admin: { tokenFile: folder } }).issues).toEqual([
      { key: 'admin.tokenFile', message: `cannot read ${folder}: is a directory (EISDIR)` },
    ]);
  });

  it('checks the content of a token file like the token itself', () => {
    const tokenFile = dir.write('token', 'two words');
    expect(loadError(dir, { admin: { tokenFile } }).issues).toEqual([
      {
        key: 'admin.tokenFile',
        message: `the content of ${tokenFile} must be printable ASCII without spaces (it is sent in an Authorization header)`,
      },
    ]);
  });

  it('does not read the files of an analyzer that is not selected', () => {
    const loaded = load(dir, { analyzer: { ...CLAIR, anchore: { passwordFile: '/does/not/exist' } } });
    expect(loaded.config.analyzer.type).toBe('clair');
  });
});

describe('other files', () => {
  it('accepts readable TLS and docker config files', () => {
    const certFile = dir.write('tls.crt', 'cert');
    const keyFile = dir.write('tls.key', 'key');
    const clientCAFile = dir.write('ca.crt', 'ca');
    const dockerConfigFile = dir.write('config.json', '{}');
    const { config } = load(dir, {
      server: { tls: { certFile, keyFile, clientCAFile } },
      registries: { dockerConfigFile },
    });
    expect(config.server.tls).toEqual({ certFile, keyFile, clientCAFile });
    expect(config.registries.dockerConfigFile).toBe(dockerConfigFile);
  });

  it('names each key whose file cannot be read', () => {
    const keyFile = dir.write('tls.key', 'key');
    const error = loadError(dir, {
      server: { tls: { certFile: join(dir.path, 'tls.crt'), keyFile, clientCAFile: dir.path } },
      registries: { dockerConfigFile: join(dir.path, 'nope.json') },
    });
    expect(error.issues).toEqual([
      { key: 'server.tls.certFile', message: `cannot read ${join(dir.path, 'tls.crt')}: no such file (ENOENT)` },
      { key: 'server.tls.clientCAFile', message: `${dir.path} is not a file` },
      {
        key: 'registries.dockerConfigFile',
        message: `cannot read ${join(dir.path, 'nope.json')}: no such file (ENOENT)`,
      },
    ]);
  });
});

describe('rules across keys', () => {
  it('requires url, username and a password for Anchore', () => {
    expect(loadError(dir, { analyzer: { type: 'anchore' } }).issues).toEqual([
      { key: 'analyzer.anchore.url', message: 'is required when analyzer.type is anchore' },
      { key: 'analyzer.anchore.username', message: 'is required when analyzer.type is anchore' },
      {
        key: 'analyzer.anchore.password',
        message: 'is required when analyzer.type is anchore (or analyzer.anchore.passwordFile)',
      },
    ]);
  });

  it('requires url for Clair, also when the type comes from the environment', () => {
    expect(issueLines(loadError(dir, {}, { SCANGATE_ANALYZER_TYPE: 'clair' }))).toEqual([
      'analyzer.clair.url: is required when analyzer.type is clair',
    ]);
  });

  it('requires certFile and keyFile together, and both for clientCAFile', () => {
    const file = dir.write('f.pem', 'x');
    expect(loadError(dir, { server: { tls: { certFile: file } } }).issues).toEqual([
      { key: 'server.tls.keyFile', message: 'is required with server.tls.certFile' },
    ]);
    expect(loadError(dir, { server: { tls: { keyFile: file } } }).issues).toEqual([
      { key: 'server.tls.certFile', message: 'is required with server.tls.keyFile' },
    ]);
    expect(loadError(dir, { server: { tls: { clientCAFile: file } } }).issues).toEqual([
      {
        key: 'server.tls.clientCAFile',
        message: 'needs server.tls.certFile and keyFile (a serving certificate for mTLS)',
      },
    ]);
  });

  it('refuses the same port for both listeners', () => {
    expect(issueLines(loadError(dir, { admin: { port: 8443 } }))).toEqual([
      'admin.port: must differ from server.port (both 8443)',
    ]);
    expect(issueLines(loadError(dir, undefined, { SCANGATE_SERVER_PORT: '8081' }))).toEqual([
      'admin.port: must differ from server.port (both 8081)',
    ]);
  });

  it('requires names or labels in each namespace override', () => {
    expect(
      loadError(dir, { admission: { namespaces: [{ mode: 'audit' }, { names: [], labels: {} }] } }).issues,
    ).toEqual([
      {
        key: 'admission.namespaces[0]',
        message: 'needs names or labels (or both) to say which namespaces it applies to',
      },
      {
        key: 'admission.namespaces[1]',
        message: 'needs names or labels (or both) to say which namespaces it applies to',
      },
    ]);
  });
});
