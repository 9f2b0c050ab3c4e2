import type { Analyzer } from '@scangate/analysis';
import { type AnalyzerTelemetry, createAnalyzer as createAdapter } from '@scangate/analyzers';
import type { ScangateConfig } from '@scangate/config';

/**
 * The analyzer for `analyzer.type` (none: local rules only). With Redis the webhook only needs
 * its name and fingerprint for verdict keys; in embedded mode it also runs the analyses.
 */
export function createAnalyzer(config: ScangateConfig, telemetry?: AnalyzerTelemetry): Analyzer | undefined {
  return createAdapter(config.analyzer, telemetry ? { telemetry } : {});
}
