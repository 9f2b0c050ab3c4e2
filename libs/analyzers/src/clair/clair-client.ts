import type { ClairConfig } from '@scangate/config';
import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import { isTransientStatus, scannerErrorOf } from '../resilience/http-errors';
import { ScannerError } from '../resilience/scanner-errors';
import type { ScannerGuard } from '../resilience/scanner-guard';
import { ClairPskToken } from './clair-psk-token';
import type {
  ClairIndexReport,
  ClairManifest,
  ClairNotificationPage,
  ClairVulnerabilityReport,
} from './clair-wire.types';

export interface ClairClientDeps {
  readonly http: AxiosInstance;
  readonly guard: ScannerGuard;
}

/** A stored index report with the index state it was made under (its `Etag`). */
export interface StoredIndexReport {
  readonly report: ClairIndexReport;
  readonly indexState?: string;
}

export type IndexOutcome =
  | { readonly kind: 'indexed'; readonly report: ClairIndexReport }
  /** 429: Clair's index_report_request_concurrency is exhausted. */
  | { readonly kind: 'busy' }
  /** 500: indexing failed (a layer could not be fetched or scanned); the report holds IndexError. */
  | { readonly kind: 'failed'; readonly message: string };

export type VulnerabilityReportOutcome =
  | { readonly kind: 'report'; readonly report: ClairVulnerabilityReport }
  /** 404: not indexed, or its index report is not IndexFinished. */
  | { readonly kind: 'not-indexed' }
  /** 202: the matcher's vulnerability database is not initialised yet. */
  | { readonly kind: 'initialising' };

const INDEXER = '/indexer/api/v1';
const MATCHER = '/matcher/api/v1';
const NOTIFIER = '/notifier/api/v1';

/**
 * Clair v4's HTTP API (CONTRACTS.md §2) as scangate uses it. Every call goes through the guard
 * (timeout, retries, breaker): a transient status or network failure is thrown inside the guard as
 * a ScannerError so that it is retried and counted; the statuses a caller handles are returned.
 */
export class ClairClient {
  private readonly base: string;
  private readonly token?: ClairPskToken;

  constructor(
    private readonly config: ClairConfig,
    private readonly deps: ClairClientDeps,
  ) {
    this.base = config.url.replace(/\/+$/, '');
    if (config.psk) this.token = new ClairPskToken(config.psk, config.issuer);
  }

  /** `GET /indexer/api/v1/index_state`: changes when Clair's scanners change (then re-index). */
  async indexState(signal: AbortSignal): Promise<string> {
    const response = await this.call<{ state?: unknown }>('GET', `${INDEXER}/index_state`, signal, [200]);
    const state = response.data?.state;
    if (typeof state !== 'string') throw new ScannerError('Clair GET index_state: no state in the answer', false, 200);
    return state;
  }

  /** `GET /indexer/api/v1/index_report/{digest}`; undefined when Clair never indexed it. */
  async storedIndexReport(digest: string, signal: AbortSignal): Promise<StoredIndexReport | undefined> {
    const response = await this.call<ClairIndexReport>('GET', `${INDEXER}/index_report/${digest}`, signal, [200, 404]);
    if (response.status === 404) return undefined;
    const indexState = etagValue(response.headers['etag']);
    return { report: reportBody(response.data, 'GET index_report'), ...(indexState ? { indexState } : {}) };
  }

  /** `POST /indexer/api/v1/index_report`: synchronous, so it gets the long index timeout. */
  async index(manifest: ClairManifest, signal: AbortSignal): Promise<IndexOutcome> {
    const response = await this.call<ClairIndexReport>(
      'POST',
      `${INDEXER}/index_report`,
      signal,
      [200, 201, 429, 500],
      { body: manifest, timeoutMs: this.config.indexTimeoutMs },
    );
    if (response.status === 429) return { kind: 'busy' };
    if (response.status === 500) return { kind: 'failed', message: errorMessage(response.data) ?? 'indexing failed' };
    return { kind: 'indexed', report: reportBody(response.data, 'POST index_report') };
  }

  /** `GET /matcher/api/v1/vulnerability_report/{digest}` (the spec says 201, the code sends 200). */
  async vulnerabilityReport(digest: string, signal: AbortSignal): Promise<VulnerabilityReportOutcome> {
    const path = `${MATCHER}/vulnerability_report/${digest}`;
    const response = await this.call<ClairVulnerabilityReport>('GET', path, signal, [200, 201, 202, 404]);
    if (response.status === 404) return { kind: 'not-indexed' };
    if (response.status === 202) return { kind: 'initialising' };
    const report = response.data;
    if (typeof report !== 'object' || report === null) {
      throw new ScannerError('Clair GET vulnerability_report: the answer is not a JSON object', false, response.status);
    }
    return { kind: 'report', report };
  }

  /** One page of a notification; undefined when Clair no longer has it (already deleted). */
  async notificationPage(
    id: string,
    pageSize: number,
    next: string | undefined,
    signal: AbortSignal,
  ): Promise<ClairNotificationPage | undefined> {
    const query = new URLSearchParams({ page_size: String(pageSize), ...(next ? { next } : {}) });
    const path = `${NOTIFIER}/notification/${encodeURIComponent(id)}?${query.toString()}`;
    const response = await this.call<ClairNotificationPage>('GET', path, signal, [200, 404]);
    if (response.status === 404) return undefined;
    const page = response.data;
    if (typeof page !== 'object' || page === null || typeof page.page !== 'object') {
      throw new ScannerError('Clair GET notification: the answer is not a notification page', false, response.status);
    }
    return page;
  }

  /** `DELETE /notifier/api/v1/notification/{id}`: marks it consumed (404: already gone). */
  async deleteNotification(id: string, signal: AbortSignal): Promise<void> {
    await this.call('DELETE', `${NOTIFIER}/notification/${encodeURIComponent(id)}`, signal, [200, 204, 404]);
  }

  private async call<T>(
    method: Method,
    path: string,
    signal: AbortSignal,
    handled: readonly number[],
    options: { readonly body?: unknown; readonly timeoutMs?: number } = {},
  ): Promise<AxiosResponse<T>> {
    const what = `Clair ${method} ${path.replace(/\?.*$/, '')}`;
    return this.deps.guard.run(
      async (callSignal) => {
        let response: AxiosResponse<T>;
        try {
          response = await this.deps.http.request<T>({
            method,
            url: `${this.base}${path}`,
            headers: {
              accept: 'application/json',
              ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
              ...(this.token ? { authorization: this.token.authorization() } : {}),
            },
            ...(options.body !== undefined ? { data: options.body } : {}),
            signal: callSignal,
            // Statuses are this client's business: 404, 202 and 500 mean something here.
            validateStatus: () => true,
            maxRedirects: 0,
          });
        } catch (error) {
          throw scannerErrorOf(what, error);
        }
        if (handled.includes(response.status)) return response;
        const detail = errorMessage(response.data);
        const auth = response.status === 401 ? ' (check analyzer.clair.psk and issuer against auth.psk)' : '';
        throw new ScannerError(
          `${what}: HTTP ${response.status}${detail ? `: ${detail}` : ''}${auth}`,
          isTransientStatus(response.status),
          response.status,
        );
      },
      signal,
      options.timeoutMs,
    );
  }
}

/** Clair's error body `{"code","message"}` (error.schema.json), if that is what came back. */
function errorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null)
    return typeof body === 'string' && body !== '' ? body.slice(0, 300) : undefined;
  const { code, message } = body as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

function reportBody(body: unknown, what: string): ClairIndexReport {
  if (typeof body !== 'object' || body === null || typeof (body as { state?: unknown }).state !== 'string') {
    throw new ScannerError(`Clair ${what}: the answer is not an index report`, false);
  }
  return body as ClairIndexReport;
}

/** `Etag: "<index state>"` → the state (weak validators tolerated). */
function etagValue(header: unknown): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  return header.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
