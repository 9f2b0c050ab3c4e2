import { isUpperLetter } from './char-codes';
import { stepMeter } from './step-meter';

// Go's strings.ToLower maps every rune through unicode.ToLower (the simple, one-to-one case
// mapping). The parser asks two questions of it, both answered here in one pass without building
// Go's lowered string in full.

const LATIN_CAPITAL_I_WITH_DOT = 0x0130; // İ: unicode.ToLower gives 'i'
const KELVIN_SIGN = 0x212a; // K: unicode.ToLower gives 'k'

/** Whether strings.ToLower(s[start, end)) != s[start, end) in Go. */
export function goToLowerChanges(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (isUpperLetter(c)) return true;
      continue;
    }
    const codePoint = s.codePointAt(i) ?? c;
    if (codePoint > 0xffff) i++;
    // Both Go and JavaScript lowercase by the Unicode tables; JavaScript's full mapping differs
    // from Go's simple one only in *what* İ becomes, never in *whether* a character changes.
    // A lone surrogate counts as unchanged: Node sends it to Go as U+FFFD, which Go keeps.
    const char = String.fromCodePoint(codePoint);
    if (char.toLowerCase() !== char) return true;
  }
  return false;
}

/**
 * strings.ToLower(s) as far as an ASCII grammar can tell: ASCII letters are lowered, and the two
 * non-ASCII characters Go lowers to ASCII (İ → i, K → k) become those letters. Every other
 * character is kept; Go may lower it differently, but to something non-ASCII either way, which
 * the grammar rejects just the same.
 */
export function goToLowerForGrammar(s: string): string {
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < s.length; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    let lowered: string;
    if (isUpperLetter(c)) lowered = String.fromCharCode(c + 0x20);
    else if (c === LATIN_CAPITAL_I_WITH_DOT) lowered = 'i';
    else if (c === KELVIN_SIGN) lowered = 'k';
    else continue;
    out += s.slice(copiedUpTo, i) + lowered;
    copiedUpTo = i + 1;
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo);
}
