import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { runCli } from './harness/cli';
import { tempDir } from './harness/webhook-harness';

// `scangate certs`: a CA and a serving certificate the API server accepts for NAME.NS.svc.

const DAY_MS = 24 * 60 * 60 * 1000;
const FILES = ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'];

const certs = (out: string, ...extra: string[]): ReturnType<typeof runCli> =>
  runCli(['certs', '--service', 'scangate', '--namespace', 'scangate-system', '--out', out, ...extra]);

/** Verifies a TLS handshake to a server with `dir`'s certificate, as the API server would for `servername`. */
async function handshake(dir: string, servername: string): Promise<void> {
  const server = createServer({ cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ca: readFileSync(join(dir, 'ca.crt')) }, () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('scangate certs', () => {
  const root = tempDir('certs-cli');

  it('writes a CA and a serving certificate for the Service names, keys 0600', async () => {
    const out = join(root, 'default');
    const result = certs(out, '--san', '127.0.0.1', '--san', 'scangate.example.com');
    expect(result.status).toBe(0);
    for (const name of FILES) expect(existsSync(join(out, name))).toBe(true);
    expect(statSync(join(out, 'tls.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'ca.key')).mode & 0o777).toBe(0o600);

    const ca = new X509Certificate(readFileSync(join(out, 'ca.crt')));
    const leaf = new X509Certificate(readFileSync(join(out, 'tls.crt')));
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subject).toBe('CN=scangate.scangate-system.svc');
    expect(leaf.subjectAltName).toBe(
      'DNS:scangate.scangate-system.svc, DNS:scangate.scangate-system.svc.cluster.local, DNS:scangate, DNS:scangate.scangate-system, ' +
        'IP Address:127.0.0.1, DNS:scangate.example.com',
    );
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(leaf.publicKey.asymmetricKeyType).toBe('ec');
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const days = (cert: X509Certificate): number =>
      Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS);
    expect(days(leaf)).toBe(365);
    expect(days(ca)).toBe(3650);
    expect(result.stderr).toContain('serving certificate valid 365 days, CA 3650 days');

    // What the API server does: dial NAME.NS.svc, verify against caBundle (ca.crt).
    await handshake(out, 'scangate.scangate-system.svc');
    await expect(handshake(out, 'other.scangate-system.svc')).rejects.toThrow(/altnames/);
  });

  it('refuses to overwrite without --force, naming the files, and replaces them with it', () => {
    const out = join(root, 'twice');
    expect(certs(out).status).toBe(0);
    const before = readFileSync(join(out, 'ca.crt'), 'utf8');
    const refused = certs(out);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `scangate: ${FILES.map((name) => join(out, name)).join(', ')} already exist: pass --force to replace (the old CA stops being trusted)\n`,
    );
    expect(readFileSync(join(out, 'ca.crt'), 'utf8')).toBe(before);

    chmodSync(join(out, 'tls.key'), 0o644);
    expect(certs(out, '--force').status).toBe(0);
    expect(readFileSync(join(out, 'ca.crt'), 'utf8')).not.toBe(before);
    expect(statSync(join(out, 'tls.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses when even one of the files exists, and writes none', () => {
    const out = join(root, 'one-file');
    expect(certs(join(out, 'seed')).status).toBe(0);
    writeFileSync(join(out, 'tls.key'), 'an existing key');
    const refused = certs(out);
    expect(refused).toMatchObject({
      status: 1,
      stderr: `scangate: ${join(out, 'tls.key')} already exists: pass --force to replace (the old CA stops being trusted)\n`,
    });
    expect(FILES.filter((name) => existsSync(join(out, name)))).toEqual(['tls.key']);
  });

  it('makes RSA 2048 keys and other lifetimes on request', async () => {
    const out = join(root, 'rsa');
    expect(certs(out, '--key-type', 'rsa-2048', '--days', '30').status).toBe(0);
    const leaf = new X509Certificate(readFileSync(join(out, 'tls.crt')));
    expect(leaf.publicKey.asymmetricKeyType).toBe('rsa');
    expect(leaf.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createPrivateKey(readFileSync(join(out, 'tls.key'))).asymmetricKeyType).toBe('rsa');
    expect(Math.round((Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY_MS)).toBe(30);
    await handshake(out, 'scangate.scangate-system.svc.cluster.local');
  });

  it.each([
    [['--key-type', 'dsa'], 'scangate: --key-type must be one of ecdsa-p256, rsa-2048 (got "dsa")\n'],
    [['--days', '0'], 'scangate: --days must be a whole number of days ≥ 1 (got 0)\n'],
    [['--san', 'not a name'], 'scangate: --san "not a name" is neither a DNS name nor an IP address\n'],
  ])('refuses bad flags %j (exit 2, nothing written)', (flags, message) => {
    const out = join(root, `bad-${flags[0]}`);
    expect(certs(out, ...flags)).toMatchObject({ status: 2, stderr: message });
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a Service name Kubernetes would not accept', () => {
    const result = runCli(['certs', '--service', 'Scangate', '--namespace', 'x', '--out', join(root, 'upper')]);
    expect(result).toMatchObject({
      status: 2,
      stderr: 'scangate: --service "Scangate" is not a Kubernetes Service name (DNS-1035 label)\n',
    });
  });
});
