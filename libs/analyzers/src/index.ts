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
export { type AffectedManifests, ClairAnalyzer, ClairClient, ClairPskToken, consumeNotification } from './clair';
export { createAnalyzer, type CreateAnalyzerOptions } from './create-analyzer';
