import type { ImageRef } from '@scangate/image-ref';
import type { ResolvedImage } from './analyzer.port';

/**
 * Tag → digest resolution (the adapter: @scangate/registry's RegistryClient). Throws RegistryError:
 * transient failures are retried; permanent ones (unknown manifest, digest mismatch, …) may become
 * a deny verdict.
 */
export interface RegistryResolver {
  resolve(ref: ImageRef, signal: AbortSignal): Promise<ResolvedImage>;
}

export type RegistryErrorCode =
  | 'NETWORK'
  | 'TIMEOUT'
  | 'SERVER_ERROR'
  | 'TOO_MANY_REQUESTS'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_UNKNOWN'
  | 'UNAUTHORIZED'
  | 'DIGEST_MISMATCH'
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The caller's signal aborted the call (shutdown, job cancelled): transient. */
  | 'ABORTED'
  /** 403 DENIED from the registry: permanent. */
  | 'DENIED'
  /** A response over its size cap (manifest, token, config blob): permanent. */
  | 'RESPONSE_TOO_LARGE'
  /** Unparseable or schema-violating manifest or index: permanent. */
  | 'MANIFEST_INVALID'
  /** An index without a manifest for any configured platform: permanent. */
  | 'PLATFORM_NOT_FOUND'
  /** The egress guard refused the host or address (not allowed, private, loopback, cross-host realm): permanent. */
  | 'EGRESS_DENIED'
  /** The registry broke the protocol (bad challenge, token answer without a token, redirect loop): permanent. */
  | 'PROTOCOL_ERROR';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}
