import type { ImageRef } from '@scangate/image-ref';

/**
 * The analyzer step of the decision, as a port. Implementations: `NoneAnalysis` (local rules
 * only), and later the verdict cache in front of the Anchore and Clair adapters. The admission
 * path never waits beyond `deadline`; what is not decided by then is `pending`.
 */
export interface ImageAnalysisPort {
  /** Analyzer name for annotations and metrics (`none`, `anchore`, `clair`). */
  readonly analyzer: string;
  /** One outcome per subject, in the same order. */
  assess(subjects: readonly ImageRef[], context: AnalysisContext): Promise<readonly AnalysisOutcome[]>;
}

export interface AnalysisContext {
  /** Server-side dry run: look up verdicts but cause no side effect (no job enqueued). */
  readonly dryRun: boolean;
  readonly namespace?: string;
  /** Epoch milliseconds after which the caller answers with `onPending`. */
  readonly deadline: number;
}

export type AnalysisOutcome =
  | {
      readonly kind: 'verdict';
      readonly allowed: boolean;
      /** Why the analyzer denied (findings), shown to the user. */
      readonly reason?: string;
      /** Manifest digest the verdict is about. */
      readonly digest?: string;
      readonly ageSeconds?: number;
    }
  | { readonly kind: 'pending'; readonly reason?: string }
  | { readonly kind: 'error'; readonly reason: string };

export const IMAGE_ANALYSIS = Symbol('IMAGE_ANALYSIS');

/** `analyzer: none`: local rules decide alone; every image that passed them is allowed. */
export class NoneAnalysis implements ImageAnalysisPort {
  readonly analyzer = 'none';

  async assess(subjects: readonly ImageRef[]): Promise<readonly AnalysisOutcome[]> {
    return subjects.map((ref) => ({ kind: 'verdict', allowed: true, ...(ref.digest ? { digest: ref.digest } : {}) }));
  }
}
