import { DASH, DOT, isWordChar } from './char-codes';
import { TAG_MAX_LENGTH } from './limits';
import { stepMeter } from './step-meter';

/** distribution/reference `tag`, anchored to s[start, end): `[\w][\w.-]{0,127}`. */
export function isTag(s: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > TAG_MAX_LENGTH || !isWordChar(s.charCodeAt(start))) return false;
  for (let i = start + 1; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (!isWordChar(c) && c !== DOT && c !== DASH) return false;
  }
  return true;
}
