import type { ImageRef } from '@scangate/image-ref';

/** An image as the registry client resolved it: what an analyzer needs to judge it. */
export interface ResolvedImage {
  readonly ref: ImageRef;
  /** Manifest digest the reference points at now (the index digest for multi-arch). */
  readonly digest: string;
  readonly mediaType?: string;
  /**
   * Platform manifests to analyse: those chosen from an index (the configured platforms), or the
   * single manifest itself. The registry client fills config and layers; other resolvers may not.
   */
  readonly platforms?: readonly PlatformImage[];
}

/** An OCI content descriptor (image-spec descriptor.md), as the manifest listed it. */
export interface ContentDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A blob as a scanner fetches it itself: the registry URL and the headers to send (the
 * Authorization the client used, if any). A redirect from that URL to another host (storage)
 * must be followed without these headers.
 */
export interface BlobLocation extends ContentDescriptor {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch ms after which the headers (a bearer token) may no longer be accepted; absent: no expiry known. */
  readonly headersExpireAt?: number;
}

/** One platform manifest of an image: what Anchore/Clair analyse. */
export interface PlatformImage {
  /** Digest of the platform manifest (equal to ResolvedImage.digest for a single-manifest image). */
  readonly digest: string;
  /** `os/architecture[/variant]`; empty when the registry client did not learn it. */
  readonly platform: string;
  readonly mediaType?: string;
  readonly config?: BlobLocation;
  readonly layers?: readonly BlobLocation[];
}

export type AnalyzerResult =
  | {
      readonly kind: 'verdict';
      readonly allowed: boolean;
      readonly reason?: string;
      readonly platformDigests?: readonly string[];
    }
  /** The scanner is still working: the job is re-scheduled after `retryAfterMs`, holding no worker slot. */
  | { readonly kind: 'pending'; readonly retryAfterMs: number; readonly reason?: string }
  /** Transient failures are retried with backoff; permanent ones end the job. Neither is a verdict. */
  | { readonly kind: 'failure'; readonly transient: boolean; readonly reason: string };

/** The analyzer port: Anchore, Clair, or a test analyzer. */
export interface Analyzer {
  /** `anchore`, `clair`, … — part of the verdict key. */
  readonly name: string;
  /** Stable hash of the policy settings that shape verdicts — part of the verdict key. */
  readonly fingerprint: string;
  analyze(image: ResolvedImage, signal: AbortSignal): Promise<AnalyzerResult>;
}
