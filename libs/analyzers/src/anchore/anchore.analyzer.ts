import { createHash } from 'node:crypto';
import type { Analyzer, AnalyzerResult, ResolvedImage } from '@scangate/analysis';
import type { AnchoreConfig } from '@scangate/config';
import type { AnalyzerDeps } from '../analyzer-deps';
import { CircuitOpenError, ScannerCallAborted, ScannerError } from '../resilience/scanner-errors';
import { AnchoreClient } from './anchore-client';
import { ANCHORE_DIALECTS, type AnchoreDialect, apiVersionOf } from './anchore-dialect';
import { type PolicyOutcome, parseV1Check, parseV2Check } from './anchore-evaluation';
import { denyReason, warnReason } from './anchore-reason';
import { anchorePullString, anchoreTag } from './anchore-reference';
import { type AnchoreApiVersion, type AnchoreImageRecord, errorMessageOf, parseImageRecords } from './anchore-wire';

/** States in which Anchore is still working on the image. */
const WORKING = new Set(['not_analyzed', 'analysis_queued', 'analyzing']);

/**
 * The Anchore adapter (Engine API v1 and Enterprise API v2): add the image pinned by digest with
 * its tag, wait (as `pending`) while Anchore analyses it, then read the policy check.
 * Anchore's `analysis_failed` is not a judgement of the image's content (the registry was
 * unreachable, the format unsupported, …), so it is a permanent failure, not a deny verdict.
 */
export class AnchoreAnalyzer implements Analyzer {
  readonly name = 'anchore';
  readonly fingerprint: string;
  private readonly client: AnchoreClient;
  private detected?: Promise<AnchoreApiVersion>;

  constructor(
    private readonly config: AnchoreConfig,
    private readonly deps: AnalyzerDeps,
  ) {
    this.client = new AnchoreClient(config, deps);
    this.fingerprint = anchoreFingerprint(config);
  }

  async analyze(image: ResolvedImage, signal: AbortSignal): Promise<AnalyzerResult> {
    try {
      const dialect = ANCHORE_DIALECTS[await this.apiVersion(signal)];
      const record = await this.findOrAdd(dialect, image, signal);
      if (record.analysisStatus === 'analyzed') return await this.check(dialect, image, record, signal);
      if (record.analysisStatus === 'analysis_failed') {
        return {
          kind: 'failure',
          transient: false,
          // Advice first: failure reasons are shortened (300 characters) where they are stored.
          reason: `Anchore could not analyse the image (analysis_failed), which says nothing about its content: fix the cause in Anchore, re-add the image there with force, then rescan: ${anchorePullString(image.ref, record.imageDigest)}`,
        };
      }
      // Working, or a state this adapter does not know: ask again later.
      const known = WORKING.has(record.analysisStatus) ? '' : ' (unknown state, treated as still working)';
      return this.pending(`Anchore analysis_status ${record.analysisStatus}${known}`);
    } catch (error) {
      return this.failureOf(error);
    }
  }

  /** The configured version, the URL's `/v1`/`/v2`, or `GET /version` once (cached once it succeeds). */
  private apiVersion(signal: AbortSignal): Promise<AnchoreApiVersion> {
    if (this.config.apiVersion !== 'auto') return Promise.resolve(this.config.apiVersion);
    if (this.client.versionInUrl !== undefined) return Promise.resolve(this.client.versionInUrl);
    if (!this.detected) {
      this.detected = this.detectApiVersion(signal);
      this.detected.catch(() => {
        this.detected = undefined;
      });
    }
    return this.detected;
  }

  private async detectApiVersion(signal: AbortSignal): Promise<AnchoreApiVersion> {
    // Engine v1 answers un-prefixed paths; if the root has no /version, Enterprise's /v2 may.
    const root = await this.client.request({ method: 'GET', path: '/version', what: 'GET /version' }, signal);
    if (root.status !== 404) return apiVersionOf(root.body);
    const v2 = await this.client.request({ method: 'GET', path: '/v2/version', what: 'GET /v2/version' }, signal);
    if (v2.status !== 404) return apiVersionOf(v2.body);
    throw new ScannerError(
      `Anchore at ${this.client.root} answers neither /version nor /v2/version (404): is analyzer.anchore.url the API's root?`,
      false,
      404,
    );
  }

  /**
   * Anchore's record of the image, adding it when Anchore has none. A manifest list is analysed
   * as one platform manifest of Anchore's choosing: its record's digest is that manifest's and
   * its parent digest the list's (CONTRACTS.md §1.3), so lookups go by the platform digests, then
   * by tag (a record whose parent is the list), and only then add.
   */
  private async findOrAdd(
    dialect: AnchoreDialect,
    image: ResolvedImage,
    signal: AbortSignal,
  ): Promise<AnchoreImageRecord> {
    for (const digest of platformDigests(image)) {
      const answer = await this.client.request(
        { method: 'GET', path: `${dialect.prefix}/images/${digest}`, what: 'get image' },
        signal,
      );
      if (answer.status === 404) continue;
      const found = parseImageRecords(answer.body, dialect.version, 'get image').find((r) => r.imageDigest === digest);
      if (found) return found;
    }
    const tag = anchoreTag(image.ref);
    const listed = await this.client.request(
      {
        method: 'GET',
        path: `${dialect.prefix}/images`,
        query: { [dialect.fullTagParam]: tag },
        what: 'list images by tag',
      },
      signal,
    );
    if (listed.status !== 404) {
      const match = parseImageRecords(listed.body, dialect.version, 'list images by tag').find((r) =>
        describes(r, image),
      );
      if (match) return match;
    }
    const pullString = anchorePullString(image.ref, image.digest);
    const added = await this.client.request(
      {
        method: 'POST',
        path: `${dialect.prefix}/images`,
        body: dialect.addByDigestBody(pullString, tag),
        what: 'add image',
      },
      signal,
    );
    if (added.status === 404) throw new ScannerError(`Anchore add image: HTTP 404${detailOf(added.body)}`, false, 404);
    const record = parseImageRecords(added.body, dialect.version, 'add image')[0];
    if (record === undefined) throw new ScannerError('Anchore add image: the answer holds no image record', false);
    if (!describes(record, image)) {
      throw new ScannerError(
        `Anchore added ${record.imageDigest} (parent ${record.parentDigest ?? 'none'}) for ${pullString}: not the image the registry resolved`,
        false,
      );
    }
    return record;
  }

  private async check(
    dialect: AnchoreDialect,
    image: ResolvedImage,
    record: AnchoreImageRecord,
    signal: AbortSignal,
  ): Promise<AnalyzerResult> {
    const tag = anchoreTag(image.ref);
    const query: Record<string, string | boolean> = { tag, detail: true };
    if (this.config.policyId !== undefined) query[dialect.policyParam] = this.config.policyId;
    const answer = await this.client.request(
      { method: 'GET', path: `${dialect.prefix}/images/${record.imageDigest}/check`, query, what: 'policy check' },
      signal,
    );
    if (answer.status === 404) {
      const message = errorMessageOf(answer.body) ?? '';
      // Analysed a moment ago but not evaluated yet, or the record went back to analysing.
      if (/not analyzed|could not find any evaluations/i.test(message))
        return this.pending(`Anchore policy check: ${message}`);
      return { kind: 'failure', transient: false, reason: `Anchore policy check: HTTP 404${detailOf(answer.body)}` };
    }
    const outcome: PolicyOutcome | undefined =
      dialect.version === 'v1' ? parseV1Check(answer.body, record.imageDigest) : parseV2Check(answer.body);
    if (outcome === undefined) return this.pending('Anchore policy check: no evaluation yet');
    const platform = record.imageDigest !== image.digest ? { platformDigests: [record.imageDigest] } : {};
    if (!outcome.passed) return { kind: 'verdict', allowed: false, reason: denyReason(outcome, tag), ...platform };
    const warnings = warnReason(outcome, tag);
    return { kind: 'verdict', allowed: true, ...(warnings !== undefined ? { reason: warnings } : {}), ...platform };
  }

  private pending(reason: string): AnalyzerResult {
    return { kind: 'pending', retryAfterMs: this.deps.pollIntervalMs, reason };
  }

  private failureOf(error: unknown): AnalyzerResult {
    if (error instanceof CircuitOpenError)
      return { kind: 'pending', retryAfterMs: error.retryAfterMs, reason: error.message };
    if (error instanceof ScannerCallAborted) return { kind: 'failure', transient: true, reason: error.message };
    if (error instanceof ScannerError) return { kind: 'failure', transient: error.transient, reason: error.message };
    return {
      kind: 'failure',
      transient: true,
      reason: `Anchore: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Digests Anchore may have recorded the image under: its platform manifests, else itself. */
function platformDigests(image: ResolvedImage): string[] {
  const digests = (image.platforms ?? []).map((platform) => platform.digest);
  return digests.length > 0 ? [...new Set(digests)] : [image.digest];
}

/** Whether an Anchore record is the resolved image: its manifest, one of its platforms, or a child of its list. */
function describes(record: AnchoreImageRecord, image: ResolvedImage): boolean {
  return (
    record.imageDigest === image.digest ||
    record.parentDigest === image.digest ||
    platformDigests(image).includes(record.imageDigest)
  );
}

function detailOf(body: unknown): string {
  const message = errorMessageOf(body);
  return message !== undefined ? ` (${message})` : '';
}

/** Stable hash of what shapes Anchore's verdicts: the policy, the account and the API choice. */
export function anchoreFingerprint(config: AnchoreConfig): string {
  const shaping = { policy: config.policyId ?? 'active', account: config.account ?? '', api: config.apiVersion };
  return createHash('sha256').update(JSON.stringify(shaping)).digest('hex').slice(0, 16);
}
