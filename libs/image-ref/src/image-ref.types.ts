/**
 * A parsed, normalised image reference, with the same fields and meaning as
 * github.com/distribution/reference's ParseNormalizedNamed result.
 */
export interface ImageRef {
  /** What was parsed, verbatim. */
  readonly input: string;
  /** Fully qualified repository name: `docker.io/library/nginx`. */
  readonly name: string;
  /** Registry host[:port]: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly domain: string;
  /** Repository path inside the registry: `library/nginx`. */
  readonly path: string;
  readonly tag?: string;
  /** `algorithm:hex`, validated like go-digest. */
  readonly digest?: string;
  /** reference.FamiliarString: `nginx:1.25`, `user/app`, `localhost:5000/app@sha256:…`. */
  readonly familiar: string;
  /** The full string, with `:latest` added when there is neither tag nor digest. */
  readonly canonical: string;
}

/**
 * One code per way a reference can be malformed. Messages are Go's err.Error() texts (so
 * `scangate ref parse` prints what distribution/reference prints); where Go answers several
 * failures with one sentinel, the code says which part was at fault.
 */
export type ImageRefErrorCode =
  | 'REFERENCE_TOO_LONG' // input over MAX_REFERENCE_INPUT_LENGTH, rejected before parsing (Go has no cap)
  | 'INVALID_FORMAT' // reference.ErrReferenceInvalidFormat, the name part at fault
  | 'NAME_EMPTY' // empty input (Go: "invalid reference format"; ErrNameEmpty only from reference.Parse(""))
  | 'NAME_TOO_LONG' // reference.ErrNameTooLong: the path (domain excluded) over 255 characters
  | 'NAME_CONTAINS_UPPERCASE' // reference.ErrNameContainsUppercase, or ParseNormalizedNamed's "repository name (…) must be lowercase"
  | 'NAME_NOT_CANONICAL' // reference.ErrNameNotCanonical: parseCanonicalImageRef (reference.ParseNamed) only
  | 'NAME_IS_HEX_ID' // 64 lowercase hex characters: an image id, not a name
  | 'TAG_INVALID' // the tag part breaks `[\w][\w.-]{0,127}` (Go: ErrReferenceInvalidFormat)
  | 'DIGEST_INVALID_FORMAT' // digest.ErrDigestInvalidFormat, or the digest part breaks the reference grammar (Go: ErrReferenceInvalidFormat)
  | 'DIGEST_INVALID_LENGTH' // digest.ErrDigestInvalidLength: sha256/384/512 need 64/96/128 hex
  | 'DIGEST_UNSUPPORTED'; // digest.ErrDigestUnsupported: well-formed, but not sha256/384/512

export class ImageRefError extends Error {
  override readonly name = 'ImageRefError';
  constructor(
    readonly code: ImageRefErrorCode,
    message: string,
    readonly input: string,
  ) {
    super(message);
  }
}
