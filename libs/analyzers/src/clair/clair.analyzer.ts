import type { Analyzer, AnalyzerResult, ResolvedImage } from '@scangate/analysis';
import type { ClairConfig } from '@scangate/config';
import type { AnalyzerDeps } from '../analyzer-deps';
import { CircuitOpenError, ScannerCallAborted, ScannerError } from '../resilience/scanner-errors';
import { ClairClient } from './clair-client';
import { clairManifestOf } from './clair-manifest';
import { denyReason, deniedFindings, policyFingerprint } from './clair-policy';
import type { ClairManifest, IndexState } from './clair-wire.types';

/** States a stored index report can be in while an indexer is still working on it. */
const INTERMEDIATE_STATES: ReadonlySet<string> = new Set<IndexState>([
  'CheckManifest',
  'FetchLayers',
  'ScanLayers',
  'Coalesce',
  'IndexManifest',
]);

/**
 * Clair v4 behind the analyzer port: index the platform manifest (Clair downloads the layers
 * with the registry headers we pass), then judge its vulnerability report with the configured
 * severities. Scanner trouble is `pending` (breaker open, still indexing, matcher loading) or a
 * `failure`, never a verdict.
 */
export class ClairAnalyzer implements Analyzer {
  readonly name = 'clair';
  readonly fingerprint: string;
  private readonly client: ClairClient;

  constructor(
    private readonly config: ClairConfig,
    private readonly deps: AnalyzerDeps,
    private readonly now: () => number = Date.now,
  ) {
    this.fingerprint = policyFingerprint(config);
    this.client = new ClairClient(config, deps);
  }

  async analyze(image: ResolvedImage, signal: AbortSignal): Promise<AnalyzerResult> {
    const choice = clairManifestOf(image, this.config.platform);
    if (choice.kind === 'unusable') return { kind: 'failure', transient: false, reason: choice.reason };
    try {
      const indexing = await this.ensureIndexed(choice.manifest, choice.headersExpireAt, signal);
      if (indexing) return indexing;
      const outcome = await this.client.vulnerabilityReport(choice.manifest.hash, signal);
      if (outcome.kind === 'not-indexed') return this.pending('Clair has not finished indexing the image');
      if (outcome.kind === 'initialising') return this.pending("Clair's vulnerability database is still loading");
      const findings = deniedFindings(outcome.report, this.config);
      const platformDigests =
        choice.platform.digest === image.digest ? {} : { platformDigests: [choice.platform.digest] };
      return findings.length === 0
        ? { kind: 'verdict', allowed: true, ...platformDigests }
        : { kind: 'verdict', allowed: false, reason: denyReason(findings), ...platformDigests };
    } catch (error) {
      if (error instanceof CircuitOpenError)
        return { kind: 'pending', retryAfterMs: error.retryAfterMs, reason: error.message };
      if (error instanceof ScannerCallAborted) throw error;
      if (error instanceof ScannerError) return { kind: 'failure', transient: error.transient, reason: error.message };
      throw error;
    }
  }

  /**
   * Makes sure Clair holds a finished index report made under its current index state; returns
   * the result to give instead when it does not (yet). A report is re-made when the scanners
   * changed (its Etag differs from `index_state`) or when the last indexing failed.
   */
  private async ensureIndexed(
    manifest: ClairManifest,
    headersExpireAt: number | undefined,
    signal: AbortSignal,
  ): Promise<AnalyzerResult | undefined> {
    const [state, stored] = await Promise.all([
      this.client.indexState(signal),
      this.client.storedIndexReport(manifest.hash, signal),
    ]);
    if (stored && INTERMEDIATE_STATES.has(stored.report.state)) {
      return this.pending(`Clair is indexing the image (${stored.report.state})`);
    }
    const current =
      stored?.report.state === 'IndexFinished' && (stored.indexState === undefined || stored.indexState === state);
    if (current) return undefined;
    // Clair fetches the layers with these headers when we POST: a token that already expired
    // would only earn a 401 from the registry. A retry resolves the image again (fresh token).
    if (headersExpireAt !== undefined && headersExpireAt <= this.now()) {
      return {
        kind: 'failure',
        transient: true,
        reason: 'the registry credentials for the layers expired before indexing',
      };
    }
    const indexed = await this.client.index(manifest, signal);
    if (indexed.kind === 'busy') return this.pending('Clair is indexing too many images (429)');
    // Not counted by the breaker (Clair answered); retried with backoff, which resolves the image again.
    if (indexed.kind === 'failed')
      return { kind: 'failure', transient: true, reason: `Clair could not index the image: ${indexed.message}` };
    const { report } = indexed;
    if (report.state === 'IndexFinished') return undefined;
    if (report.state === 'IndexError') {
      return {
        kind: 'failure',
        transient: true,
        reason: `Clair could not index the image: ${report.err ?? 'IndexError'}`,
      };
    }
    return this.pending(`Clair is indexing the image (${report.state})`);
  }

  private pending(reason: string): AnalyzerResult {
    return { kind: 'pending', retryAfterMs: this.deps.pollIntervalMs, reason };
  }
}
