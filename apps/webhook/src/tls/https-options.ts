import { readFileSync } from 'node:fs';
import type { SecureContextOptions, TlsOptions } from 'node:tls';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCAFile?: string;
}

/**
 * HTTPS options for the admission listener. With a client CA, the handshake itself refuses a
 * caller without a certificate from that CA, so only the API server can ask.
 */
export function httpsOptions(files: TlsFiles): TlsOptions & SecureContextOptions {
  const base = {
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
    minVersion: 'TLSv1.2' as const,
  };
  if (!files.clientCAFile) return base;
  return { ...base, ca: readFileSync(files.clientCAFile), requestCert: true, rejectUnauthorized: true };
}
