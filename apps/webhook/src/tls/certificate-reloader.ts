import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { TlsFiles } from './https-options';
import { secureContextOptions } from './https-options';

/** How often the files are read: cert-manager and kubelet refresh secret mounts within a minute or two. */
export const DEFAULT_TLS_RELOAD_INTERVAL_MS = 10_000;

export interface CertificateReloader {
  /** Reads the files now and swaps the context when they changed and are valid; true when swapped. */
  check(): boolean;
  stop(): void;
}

/**
 * Serves rotated certificate files without a restart. Kubernetes updates a secret volume by
 * swapping a `..data` symlink, so file events are unreliable: the files' contents are read and
 * hashed every `intervalMs` instead. A changed set that does not make a valid context (a key
 * that does not match the certificate, a half-written file) is logged and the old one kept;
 * it is tried again on the next change.
 */
export function watchCertificateFiles(
  server: Server,
  files: TlsFiles,
  logger: Logger,
  intervalMs = DEFAULT_TLS_RELOAD_INTERVAL_MS,
): CertificateReloader {
  let served = fingerprint(files);
  let rejected: string | undefined;
  const check = (): boolean => {
    let current: string;
    try {
      current = fingerprint(files);
    } catch (error) {
      if (rejected !== 'unreadable') {
        logger.warn({ err: error, certFile: files.certFile }, 'TLS files unreadable; keeping the served certificate');
      }
      rejected = 'unreadable';
      return false;
    }
    if (current === served || current === rejected) return false;
    try {
      const options = secureContextOptions(files);
      createSecureContext(options); // throws on a key that does not match, or bad PEM
      server.setSecureContext(options);
      served = current;
      rejected = undefined;
      logger.info({ certFile: files.certFile, clientCAFile: files.clientCAFile }, 'reloaded TLS certificate files');
      return true;
    } catch (error) {
      rejected = current;
      logger.error(
        { err: error, certFile: files.certFile, keyFile: files.keyFile },
        'new TLS files are invalid; keeping the served certificate',
      );
      return false;
    }
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

function fingerprint(files: TlsFiles): string {
  const hash = createHash('sha256');
  for (const file of [files.certFile, files.keyFile, files.clientCAFile]) {
    if (file !== undefined) hash.update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}
