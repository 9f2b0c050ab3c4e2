import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createCertificateAuthority, issueCertificate } from './certificate-authority';

export interface EmbeddedTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly created: boolean;
}

const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Embedded mode's TLS: a local CA and a `localhost` serving certificate under `<dataDir>/tls`.
 * Reused across restarts while valid, so `curl --cacert <dataDir>/tls/ca.crt` keeps working.
 */
export async function ensureEmbeddedTls(dataDir: string): Promise<EmbeddedTlsFiles> {
  const dir = join(dataDir, 'tls');
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  if (stillValid(files.certFile) && existsSync(files.keyFile) && existsSync(files.caFile)) {
    return { ...files, created: false };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority('scangate embedded CA');
  const leaf = await issueCertificate(ca, {
    commonName: 'localhost',
    names: ['localhost', '127.0.0.1', '::1'],
    usage: 'server',
  });
  writeFileSync(files.caFile, ca.certPem);
  writeFileSync(files.certFile, leaf.certPem);
  writeFileSync(files.keyFile, leaf.keyPem, { mode: 0o600 });
  return { ...files, created: true };
}

function stillValid(certFile: string): boolean {
  if (!existsSync(certFile)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    return new Date(cert.validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}
