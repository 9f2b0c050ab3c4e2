export { CircuitOpenError, ScannerCallAborted, ScannerError } from './resilience/scanner-errors';
export {
  type AnalyzerTelemetry,
  type CircuitStateName,
  ScannerGuard,
  type ScannerGuardOptions,
} from './resilience/scanner-guard';
export { isTransientStatus, scannerErrorOf } from './resilience/http-errors';
export type { AnalyzerDeps } from './analyzer-deps';
export { AnchoreAnalyzer } from './anchore';
export { ClairAnalyzer, ClairClient, consumeNotification, type AffectedManifests } from './clair';
export { createAnalyzer, type CreateAnalyzerOptions } from './create-analyzer';
