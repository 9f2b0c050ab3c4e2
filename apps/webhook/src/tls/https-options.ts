import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCAFile?: string;
}

/** What the files say (certificate, key, client CA), read now: at start and on every reload. */
export function secureContextOptions(files: TlsFiles): SecureContextOptions {
  return {
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
    minVersion: 'TLSv1.2',
    ...(files.clientCAFile ? { ca: readFileSync(files.clientCAFile) } : {}),
  };
}

/**
 * HTTPS options for the admission listener. With a client CA, the handshake itself refuses a
 * caller without a certificate from that CA, so only the API server can ask.
 */
export function httpsOptions(files: TlsFiles): TlsOptions & SecureContextOptions {
  const base = secureContextOptions(files);
  if (!files.clientCAFile) return base;
  return { ...base, requestCert: true, rejectUnauthorized: true };
}
