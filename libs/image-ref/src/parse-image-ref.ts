import { type ImageRef, ImageRefError } from './image-ref.types';
import { MAX_REFERENCE_INPUT_LENGTH } from './limits';
import { type ParseOutcome, parseNamed, parseNormalizedNamed } from './reference-parser';

export type ImageRefParseResult =
  { readonly ok: true; readonly ref: ImageRef } | { readonly ok: false; readonly error: ImageRefError };

/**
 * Parses and normalises an image reference exactly as Go's reference.ParseNormalizedNamed does
 * (`nginx` → docker.io/library/nginx, canonical `docker.io/library/nginx:latest`). Never throws.
 * Inputs over MAX_REFERENCE_INPUT_LENGTH are refused before any parsing, and parsing is linear in
 * the input, so a hostile manifest cannot make this slow.
 */
export function tryParseImageRef(input: string): ImageRefParseResult {
  return toResult(input, capped(input) ?? parseNormalizedNamed(input));
}

/** tryParseImageRef that throws the ImageRefError. */
export function parseImageRef(input: string): ImageRef {
  return unwrap(tryParseImageRef(input));
}

/**
 * reference.ParseNamed: as parseImageRef, but the input must already be the full form
 * (`docker.io/library/nginx:1.25`, not `nginx:1.25`); otherwise NAME_NOT_CANONICAL.
 */
export function tryParseCanonicalImageRef(input: string): ImageRefParseResult {
  return toResult(input, capped(input) ?? parseNamed(input));
}

export function parseCanonicalImageRef(input: string): ImageRef {
  return unwrap(tryParseCanonicalImageRef(input));
}

function capped(input: string): ParseOutcome | undefined {
  if (typeof input !== 'string') {
    // Callers hand us fields of untrusted JSON; the types promise a string, the data may not.
    return { ok: false, code: 'INVALID_FORMAT', message: 'invalid reference format: not a string' };
  }
  if (input.length > MAX_REFERENCE_INPUT_LENGTH) {
    return {
      ok: false,
      code: 'REFERENCE_TOO_LONG',
      message: `invalid reference format: longer than ${MAX_REFERENCE_INPUT_LENGTH} characters`,
    };
  }
  return undefined;
}

function toResult(input: string, outcome: ParseOutcome): ImageRefParseResult {
  if (outcome.ok) return outcome;
  return { ok: false, error: new ImageRefError(outcome.code, outcome.message, String(input)) };
}

function unwrap(result: ImageRefParseResult): ImageRef {
  if (!result.ok) throw result.error;
  return result.ref;
}
