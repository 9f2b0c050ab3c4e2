import type { AxiosInstance } from 'axios';
import type { ScannerGuard } from './resilience/scanner-guard';

/** What every adapter is built with (createAnalyzer assembles it from config). */
export interface AnalyzerDeps {
  /** The HTTP client (in the Nest apps: @nestjs/axios's HttpService.axiosRef). */
  readonly http: AxiosInstance;
  /** Timeout, retries and the circuit breaker shared by all of this analyzer's calls. */
  readonly guard: ScannerGuard;
  /** How long a job waits (off-slot) before asking again while the scanner is still working. */
  readonly pollIntervalMs: number;
}
