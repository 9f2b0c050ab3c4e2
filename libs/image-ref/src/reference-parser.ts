import { DIGEST_PROBLEM_MESSAGES, type DigestProblem, validateDigest } from './digest';
import { goToLowerChanges, goToLowerForGrammar } from './go-lowercase';
import type { ImageRef, ImageRefErrorCode } from './image-ref.types';
import { REPOSITORY_NAME_TOTAL_LENGTH_MAX } from './limits';
import { DEFAULT_TAG, familiarName, isHexIdentifier, splitDockerDomain } from './normalize';
import { type ReferenceMismatch, matchReference } from './reference-grammar';
import { stepMeter } from './step-meter';

// The uncapped core: reference.ParseNormalizedNamed and reference.ParseNamed of
// github.com/distribution/reference v0.6.0, step for step. Internal — the public parser in
// parse-image-ref.ts caps the input length first; tests call this directly to prove linear time
// on inputs far over that cap.

export type ParseOutcome =
  | { readonly ok: true; readonly ref: ImageRef }
  | { readonly ok: false; readonly code: ImageRefErrorCode; readonly message: string };

/** Go's error texts (err.Error()), so `scangate ref parse` prints what the oracle prints. */
const INVALID_REFERENCE_FORMAT = 'invalid reference format'; // reference.ErrReferenceInvalidFormat
const NAME_CONTAINS_UPPERCASE = 'repository name must be lowercase'; // reference.ErrNameContainsUppercase
const NAME_TOO_LONG = `repository name must not be more than ${REPOSITORY_NAME_TOTAL_LENGTH_MAX} characters`;
const NAME_NOT_CANONICAL = 'repository name must be canonical'; // reference.ErrNameNotCanonical

/**
 * Go answers every grammar failure with ErrReferenceInvalidFormat; the code says which part was
 * at fault (the message stays Go's).
 */
const GRAMMAR_FAILURE_CODES: Readonly<Record<ReferenceMismatch['part'], ImageRefErrorCode>> = {
  name: 'INVALID_FORMAT',
  tag: 'TAG_INVALID',
  digest: 'DIGEST_INVALID_FORMAT',
};

const DIGEST_PROBLEM_CODES: Readonly<Record<DigestProblem, ImageRefErrorCode>> = {
  format: 'DIGEST_INVALID_FORMAT',
  length: 'DIGEST_INVALID_LENGTH',
  unsupported: 'DIGEST_UNSUPPORTED',
};

/** reference.ParseNormalizedNamed, with FamiliarString and TagNameOnly(ref).String() derived. */
export function parseNormalizedNamed(input: string): ParseOutcome {
  if (isHexIdentifier(input)) {
    stepMeter.steps += input.length;
    return failure('NAME_IS_HEX_ID', `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(input);
  const remoteEnd = indexOfColon(remainder);
  if (goToLowerChanges(remainder, 0, remoteEnd)) {
    stepMeter.steps += remoteEnd;
    return failure(
      'NAME_CONTAINS_UPPERCASE',
      `${INVALID_REFERENCE_FORMAT}: repository name (${remainder.slice(0, remoteEnd)}) must be lowercase`,
    );
  }
  const s = domain + '/' + remainder;
  stepMeter.steps += s.length;
  return parse(s, input);
}

/**
 * reference.ParseNamed: ParseNormalizedNamed, then ErrNameNotCanonical unless the input already
 * is the full form (`docker.io/library/nginx:1.25`, not `nginx:1.25`).
 */
export function parseNamed(input: string): ParseOutcome {
  const outcome = parseNormalizedNamed(input);
  if (!outcome.ok) return outcome;
  const { name, tag, digest } = outcome.ref;
  stepMeter.steps += input.length;
  return referenceString(name, tag, digest) === input ? outcome : failure('NAME_NOT_CANONICAL', NAME_NOT_CANONICAL);
}

/** Runs the core with the step meter reset, returning the outcome and the steps it took. */
export function countParseSteps(
  input: string,
  core: (input: string) => ParseOutcome = parseNormalizedNamed,
): { outcome: ParseOutcome; steps: number } {
  stepMeter.steps = 0;
  const outcome = core(input);
  return { outcome, steps: stepMeter.steps };
}

/** reference.Parse on the normalised `domain/remainder`, `input` being what the user wrote. */
function parse(s: string, input: string): ParseOutcome {
  const match = matchReference(s);
  if (!match.ok) {
    if (matchReference(goToLowerForGrammar(s)).ok) return failure('NAME_CONTAINS_UPPERCASE', NAME_CONTAINS_UPPERCASE);
    // Go reaches ErrNameEmpty only through reference.Parse(""); ParseNormalizedNamed("") says
    // "invalid reference format". Same message here, a code of its own.
    return failure(input === '' ? 'NAME_EMPTY' : GRAMMAR_FAILURE_CODES[match.part], INVALID_REFERENCE_FORMAT);
  }

  const { nameEnd, pathStart, tagStart, tagEnd, digestStart } = match;
  if (nameEnd - pathStart > REPOSITORY_NAME_TOTAL_LENGTH_MAX) return failure('NAME_TOO_LONG', NAME_TOO_LONG);
  if (digestStart >= 0) {
    const problem = validateDigest(s, digestStart, s.length);
    if (problem !== undefined) return failure(DIGEST_PROBLEM_CODES[problem], DIGEST_PROBLEM_MESSAGES[problem]);
  }

  stepMeter.steps += 4 * s.length; // the slices and concatenations below
  const name = s.slice(0, nameEnd);
  // A name whose first component is neither a valid host nor followed by a valid path parses
  // with no domain at all: `a_b.c/x` → domain "", path "a_b.c/x" (reference.Domain gives "").
  const domain = pathStart === 0 ? '' : s.slice(0, pathStart - 1);
  const path = s.slice(pathStart, nameEnd);
  const tag = tagStart < 0 ? undefined : s.slice(tagStart, tagEnd);
  const digest = digestStart < 0 ? undefined : s.slice(digestStart);
  const familiar = referenceString(familiarName(domain, path, name), tag, digest);
  const full = referenceString(name, tag, digest);
  const canonical = tag === undefined && digest === undefined ? `${name}:${DEFAULT_TAG}` : full;

  if (tag !== undefined && digest !== undefined) {
    return { ok: true, ref: { input, name, domain, path, tag, digest, familiar, canonical } };
  }
  if (tag !== undefined) return { ok: true, ref: { input, name, domain, path, tag, familiar, canonical } };
  if (digest !== undefined) return { ok: true, ref: { input, name, domain, path, digest, familiar, canonical } };
  return { ok: true, ref: { input, name, domain, path, familiar, canonical } };
}

/** What Go's String() prints for a named reference: `name[:tag][@digest]`. */
export function referenceString(name: string, tag: string | undefined, digest: string | undefined): string {
  let out = name;
  if (tag !== undefined) out += ':' + tag;
  if (digest !== undefined) out += '@' + digest;
  return out;
}

function failure(code: ImageRefErrorCode, message: string): ParseOutcome {
  return { ok: false, code, message };
}

/** strings.IndexRune(s, ':'), or s.length when there is none. */
function indexOfColon(s: string): number {
  for (let i = 0; i < s.length; i++) {
    stepMeter.steps++;
    if (s.charCodeAt(i) === 0x3a) return i;
  }
  return s.length;
}
