import type { ImageRef } from '@scangate/image-ref';

/** An image as the registry client resolved it: what an analyzer needs to judge it. */
export interface ResolvedImage {
  readonly ref: ImageRef;
  /** Manifest digest the reference points at now (the index digest for multi-arch). */
  readonly digest: string;
  readonly mediaType?: string;
  /** Platform manifests chosen from an index, when there is one. */
  readonly platforms?: readonly { readonly digest: string; readonly platform: string }[];
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

export const ANALYZER = Symbol('ANALYZER');
