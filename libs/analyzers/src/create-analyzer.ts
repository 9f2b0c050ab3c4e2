import type { Analyzer } from '@scangate/analysis';
import type { AnalyzerConfig } from '@scangate/config';
import axios, { type AxiosInstance } from 'axios';
import { AnchoreAnalyzer } from './anchore';
import { ClairAnalyzer } from './clair';
import { type AnalyzerTelemetry, ScannerGuard } from './resilience/scanner-guard';

export interface CreateAnalyzerOptions {
  /** The HTTP client to use; default a fresh axios instance. */
  readonly http?: AxiosInstance;
  /** Receives the circuit breaker's state (a metric). */
  readonly telemetry?: AnalyzerTelemetry;
}

/** The adapter for `analyzer.type`; undefined for `none` (local rules only). */
export function createAnalyzer(config: AnalyzerConfig, options: CreateAnalyzerOptions = {}): Analyzer | undefined {
  if (config.type === 'none') return undefined;
  const guard = new ScannerGuard({
    analyzer: config.type,
    timeoutMs: config.requestTimeoutMs,
    retries: config.retries,
    breaker: config.breaker,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  });
  const deps = { http: options.http ?? axios.create(), guard, pollIntervalMs: config.pollIntervalMs };
  if (config.type === 'anchore') {
    if (!config.anchore) throw new Error('analyzer.anchore is required when analyzer.type is anchore');
    return new AnchoreAnalyzer(config.anchore, deps);
  }
  if (!config.clair) throw new Error('analyzer.clair is required when analyzer.type is clair');
  return new ClairAnalyzer(config.clair, deps);
}
