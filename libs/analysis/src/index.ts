export * from './analyzer.port';
export * from './registry-resolver.port';
export * from './analysis-run.types';
export { AnalysisService, type AnalysisServiceOptions, unresolvedTagDigest } from './analysis.service';
export { AnalysisMetrics, type AnalysisAttemptResult } from './analysis.metrics';
