import type { ScangateConfig } from '@scangate/config';
import type { ImageAnalysisPort } from '@scangate/policy';
import { NoneAnalysis } from '@scangate/policy';

/**
 * The analysis port for the configured analyzer. Only `none` exists so far; the verdict cache
 * and the Anchore and Clair adapters plug in here. Refusing to start beats silently admitting
 * everything with a scanner the operator asked for but this build does not have.
 */
export function createAnalysis(config: ScangateConfig): ImageAnalysisPort {
  if (config.analyzer.type === 'none') return new NoneAnalysis();
  throw new Error(
    `analyzer.type: "${config.analyzer.type}" is not available in this build yet; use "none" (local rules only)`,
  );
}
