/**
 * Inputs longer than this (in UTF-16 code units) are rejected with REFERENCE_TOO_LONG before any
 * parsing. A valid reference is far shorter: the path is at most 255 characters, the tag 128 and
 * a sha512 digest 135; only the domain is unbounded in Go, and no registry host comes near this.
 */
export const MAX_REFERENCE_INPUT_LENGTH = 4096;

/** reference.RepositoryNameTotalLengthMax: applies to the path (without the domain). */
export const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255;

/** `[\w][\w.-]{0,127}` */
export const TAG_MAX_LENGTH = 128;

/** The reference grammar's digest needs at least 128 bits: `[[:xdigit:]]{32,}`. */
export const DIGEST_MIN_HEX_LENGTH = 32;
