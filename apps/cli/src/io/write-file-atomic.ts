import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `file` with `text` so that a reader (or a crash) sees either the old or the new
 * content, never half of it: write a temporary file beside it (same directory, so the rename
 * stays on one filesystem), flush it, then rename it over the original. The original's
 * permission bits are kept. A symlink is replaced by a regular file only if `file` is one; the
 * path is resolved by the caller if the link should be followed.
 */
export function writeFileAtomic(file: string, text: string): void {
  const mode = statSync(file).mode & 0o7777;
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', mode);
  try {
    try {
      writeSync(fd, text, null, 'utf8');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // already renamed or never created: nothing to clean up
    }
    throw error;
  }
}
