import type { Analyzer } from '@scangate/analysis';
import type { ScangateConfig } from '@scangate/config';

/**
 * The analyzer for `analyzer.type`. `none` needs none (local rules only). The Anchore and Clair
 * adapters plug in here; until they exist, refusing to start beats silently admitting everything
 * with a scanner the operator asked for.
 */
export function createAnalyzer(config: ScangateConfig): Analyzer | undefined {
  if (config.analyzer.type === 'none') return undefined;
  throw new Error(
    `analyzer.type: "${config.analyzer.type}" is not available in this build yet; use "none" (local rules only)`,
  );
}
