import { X509Certificate } from 'node:crypto';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from 'node:tls';
import { createLogger } from '@scangate/logging';
import type { RunningWebhook } from '@scangate/webhook';
import { createCertificateAuthority, issueCertificate, startWebhook } from '@scangate/webhook';
import type { PemPair } from '@scangate/webhook';
import { loadTestConfig, tempDir } from './harness/webhook-harness';

// server.tls files are reloaded without a restart, laid out the way kubelet mounts a secret:
// tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/, and a rotation swaps ..data atomically.

const RELOAD_INTERVAL_MS = 100;
const DEADLINE_MS = 10_000;

/** The fingerprint of the certificate a fresh TLS handshake is shown. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.once('error', reject);
  });
}

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what}: not within ${DEADLINE_MS} ms`);
}

const fingerprintOf = (pair: PemPair): string => new X509Certificate(pair.certPem).fingerprint256;

describe('certificate reload (server.tls files rotated in place)', () => {
  const dir = tempDir('tls-reload');
  const logs: string[] = [];
  let webhook: RunningWebhook | undefined;
  let generation = 0;

  /** Writes a new timestamped directory and swaps ..data to it in one rename, as kubelet does. */
  const rotate = (files: { cert: string; key: string }): void => {
    generation += 1;
    const versioned = `..gen-${generation}`;
    mkdirSync(join(dir, versioned));
    writeFileSync(join(dir, versioned, 'tls.crt'), files.cert);
    writeFileSync(join(dir, versioned, 'tls.key'), files.key, { mode: 0o600 });
    symlinkSync(versioned, join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  };

  let first: PemPair;
  let second: PemPair;

  beforeAll(async () => {
    const ca = await createCertificateAuthority('reload test CA');
    const leaf = (): Promise<PemPair> =>
      issueCertificate(ca, { commonName: 'localhost', names: ['localhost', '127.0.0.1'], usage: 'server' });
    first = await leaf();
    second = await leaf();
    rotate({ cert: first.certPem, key: first.keyPem });
    symlinkSync(join('..data', 'tls.crt'), join(dir, 'tls.crt'));
    symlinkSync(join('..data', 'tls.key'), join(dir, 'tls.key'));

    const loaded = loadTestConfig({
      server: { tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') } },
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((line) => line !== ''),
        );
        done();
      },
    });
    webhook = await startWebhook({
      config: loaded.config,
      logger: createLogger('info', sink),
      dataDir: tempDir('tls-reload-data'),
      port: 0,
      adminPort: 0,
      host: '127.0.0.1',
      tlsReloadIntervalMs: RELOAD_INTERVAL_MS,
    });
  });

  afterAll(async () => {
    await webhook?.close();
  });

  it('serves the mounted certificate, then the rotated one to new handshakes', async () => {
    expect(await servedFingerprint(webhook!.port)).toBe(fingerprintOf(first));
    rotate({ cert: second.certPem, key: second.keyPem });
    await eventually(
      'the rotated certificate served',
      async () => (await servedFingerprint(webhook!.port)) === fingerprintOf(second),
    );
    expect(logs.some((line) => line.includes('reloaded TLS certificate files'))).toBe(true);
  });

  it('keeps serving the old certificate when the new key does not match, and says so', async () => {
    const served = await servedFingerprint(webhook!.port);
    rotate({ cert: first.certPem, key: second.keyPem }); // a certificate with someone else's key
    await eventually('the invalid pair logged', async () =>
      logs.some((line) => line.includes('new TLS files are invalid; keeping the served certificate')),
    );
    expect(await servedFingerprint(webhook!.port)).toBe(served);

    // The next valid rotation is picked up again.
    rotate({ cert: first.certPem, key: first.keyPem });
    await eventually(
      'the repaired pair served',
      async () => (await servedFingerprint(webhook!.port)) === fingerprintOf(first),
    );
  });
});
