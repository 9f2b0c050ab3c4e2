import {
  COLON,
  DASH,
  DOT,
  EQUALS,
  PLUS,
  UNDERSCORE,
  isAlnum,
  isHexDigit,
  isLetter,
  isLowerAlnum,
  isLowerHexDigit,
} from './char-codes';
import { DIGEST_MIN_HEX_LENGTH } from './limits';
import { stepMeter } from './step-meter';

/**
 * distribution/reference `digestPat`, anchored to s[start, end) — the reference grammar's view of
 * a digest, before go-digest validates it:
 *
 *   [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )* ':' [[:xdigit:]]{32,}
 */
export function matchesDigestPattern(s: string, start: number, end: number): boolean {
  let componentEmpty = true;
  let i = start;
  for (; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (componentEmpty) {
      if (!isLetter(c)) return false;
      componentEmpty = false;
    } else if (c === COLON) {
      break;
    } else if (isAlgorithmSeparator(c)) {
      componentEmpty = true;
    } else if (!isAlnum(c)) {
      return false;
    }
  }
  if (i === end) return false; // no ':' (or nothing at all)
  if (end - (i + 1) < DIGEST_MIN_HEX_LENGTH) return false;
  for (let j = i + 1; j < end; j++) {
    stepMeter.steps++;
    if (!isHexDigit(s.charCodeAt(j))) return false;
  }
  return true;
}

/** Why go-digest rejects a digest; each maps to one of its sentinel errors. */
export type DigestProblem = 'format' | 'length' | 'unsupported';

/** go-digest's error texts, for each problem. */
export const DIGEST_PROBLEM_MESSAGES: Readonly<Record<DigestProblem, string>> = {
  format: 'invalid checksum digest format', // digest.ErrDigestInvalidFormat
  length: 'invalid checksum digest length', // digest.ErrDigestInvalidLength
  unsupported: 'unsupported digest algorithm', // digest.ErrDigestUnsupported
};

/**
 * go-digest v1.0.0 `Digest.Validate` on s[start, end), with sha256, sha384 and sha512 available
 * (every real client links them). Returns undefined when the digest is valid.
 */
export function validateDigest(s: string, start: number, end: number): DigestProblem | undefined {
  const sep = indexOfColon(s, start, end);
  if (sep <= start || sep + 1 === end) return 'format';
  const hexLength = availableAlgorithmHexLength(s, start, sep);
  if (hexLength === 0) {
    // Not available: well-formed (DigestRegexpAnchored) means unsupported, otherwise malformed.
    return isGoDigestAlgorithm(s, start, sep) && isGoDigestEncoded(s, sep + 1, end) ? 'unsupported' : 'format';
  }
  if (end - (sep + 1) !== hexLength) return 'length';
  for (let i = sep + 1; i < end; i++) {
    stepMeter.steps++;
    if (!isLowerHexDigit(s.charCodeAt(i))) return 'format';
  }
  return undefined;
}

function isAlgorithmSeparator(c: number): boolean {
  return c === DASH || c === UNDERSCORE || c === PLUS || c === DOT;
}

function indexOfColon(s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    stepMeter.steps++;
    if (s.charCodeAt(i) === COLON) return i;
  }
  return -1;
}

/** Hex length of sha256 / sha384 / sha512 when s[start, end) names one of them, else 0. */
function availableAlgorithmHexLength(s: string, start: number, end: number): number {
  if (
    end - start !== 6 ||
    s.charCodeAt(start) !== 0x73 ||
    s.charCodeAt(start + 1) !== 0x68 ||
    s.charCodeAt(start + 2) !== 0x61
  ) {
    return 0; // not "sha…" of six characters
  }
  stepMeter.steps += 6;
  const bits = s.slice(start + 3, end);
  if (bits === '256') return 64;
  if (bits === '384') return 96;
  if (bits === '512') return 128;
  return 0;
}

/** go-digest's algorithm part: `[a-z0-9]+ ( [.+_-] [a-z0-9]+ )*` */
function isGoDigestAlgorithm(s: string, start: number, end: number): boolean {
  let componentEmpty = true;
  for (let i = start; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (isLowerAlnum(c)) componentEmpty = false;
    else if (!componentEmpty && isAlgorithmSeparator(c)) componentEmpty = true;
    else return false;
  }
  return !componentEmpty;
}

/** go-digest's encoded part: `[a-zA-Z0-9=_-]+` */
function isGoDigestEncoded(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (!isAlnum(c) && c !== EQUALS && c !== UNDERSCORE && c !== DASH) return false;
  }
  return true;
}
