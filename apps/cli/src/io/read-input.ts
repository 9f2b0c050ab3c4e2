import { readFileSync } from 'node:fs';

/** A file's text, or stdin's for `-`. */
export function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}
