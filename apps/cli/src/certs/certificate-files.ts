import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServingCertificates } from './serving-certificates';

/** Private keys are readable by their owner only; certificates are public. */
const MODES: Readonly<Record<keyof ServingCertificates, number>> = {
  'ca.crt': 0o644,
  'ca.key': 0o600,
  'tls.crt': 0o644,
  'tls.key': 0o600,
};

export class ExistingFilesError extends Error {
  constructor(readonly files: readonly string[]) {
    super(
      `${files.join(', ')} already exist${files.length === 1 ? 's' : ''}: pass --force to replace (the old CA stops being trusted)`,
    );
  }
}

/** The paths `writeCertificateFiles` would write. */
export function certificatePaths(dir: string): Record<keyof ServingCertificates, string> {
  return {
    'ca.crt': join(dir, 'ca.crt'),
    'ca.key': join(dir, 'ca.key'),
    'tls.crt': join(dir, 'tls.crt'),
    'tls.key': join(dir, 'tls.key'),
  };
}

/** Throws ExistingFilesError listing every file that is already there (nothing is written). */
export function assertWritable(dir: string, force: boolean): void {
  if (force) return;
  const existing = Object.values(certificatePaths(dir)).filter((path) => existsSync(path));
  if (existing.length > 0) throw new ExistingFilesError(existing);
}

/** Writes the four files; keys 0600 even when they replace a file with wider permissions. */
export function writeCertificateFiles(
  dir: string,
  certificates: ServingCertificates,
  force: boolean,
): Record<keyof ServingCertificates, string> {
  assertWritable(dir, force);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const paths = certificatePaths(dir);
  for (const name of Object.keys(paths) as (keyof ServingCertificates)[]) {
    // `wx` without --force: a file created since the check is still never overwritten.
    writeFileSync(paths[name], certificates[name], { mode: MODES[name], flag: force ? 'w' : 'wx' });
    chmodSync(paths[name], MODES[name]);
  }
  return paths;
}
