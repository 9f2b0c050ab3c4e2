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

/** One code per way a reference can be malformed; messages follow distribution/reference. */
export type ImageRefErrorCode =
  | 'REFERENCE_TOO_LONG' // input over MAX_REFERENCE_INPUT_LENGTH, rejected before parsing
  | 'INVALID_FORMAT' // reference.ErrReferenceInvalidFormat
  | 'NAME_EMPTY' // reference.ErrNameEmpty
  | 'NAME_TOO_LONG' // reference.ErrNameTooLong
  | 'NAME_CONTAINS_UPPERCASE' // reference.ErrNameContainsUppercase
  | 'NAME_NOT_CANONICAL' // reference.ErrNameNotCanonical
  | 'NAME_IS_HEX_ID' // 64 hex characters: an image id, not a name
  | 'TAG_INVALID' // reference.ErrTagInvalidFormat
  | 'DIGEST_INVALID_FORMAT' // digest.ErrDigestInvalidFormat
  | 'DIGEST_INVALID_LENGTH' // digest.ErrDigestInvalidLength
  | 'DIGEST_UNSUPPORTED'; // digest.ErrDigestUnsupported

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
