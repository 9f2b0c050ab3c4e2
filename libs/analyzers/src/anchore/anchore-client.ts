import type { AxiosRequestConfig } from 'axios';
import { isAxiosError } from 'axios';
import type { AnchoreConfig } from '@scangate/config';
import type { AnalyzerDeps } from '../analyzer-deps';
import { ScannerError } from '../resilience/scanner-errors';
import { scannerErrorOf } from '../resilience/http-errors';
import { type AnchoreApiVersion, errorMessageOf } from './anchore-wire';

export interface AnchoreAnswer {
  /** 2xx, or 404 (the routes' "not found / not analysed yet" answer, which callers interpret). */
  readonly status: number;
  readonly body: unknown;
}

export interface AnchoreRequest {
  readonly method: 'GET' | 'POST';
  /** Below the server root: `/version`, `/v1/images`, … */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | boolean>>;
  readonly body?: unknown;
  /** Names the call in errors: `add image`, `policy check`. */
  readonly what: string;
}

/**
 * The HTTP side of the adapter: Basic auth, `x-anchore-account`, JSON, and every call through the
 * scanner guard. 404 is returned to the caller (it means "unknown image" or "not analysed yet" on
 * these routes); other failures become ScannerErrors whose messages say what to fix.
 */
export class AnchoreClient {
  /** The server root, without a trailing `/v1` or `/v2` (that comes from the API version). */
  readonly root: string;
  /** `v1`/`v2` when the configured URL ended in it. */
  readonly versionInUrl?: AnchoreApiVersion;

  constructor(
    private readonly config: AnchoreConfig,
    private readonly deps: AnalyzerDeps,
  ) {
    const url = config.url.replace(/\/+$/, '');
    const suffix = /\/(v1|v2)$/.exec(url);
    this.root = suffix ? url.slice(0, suffix.index) : url;
    if (suffix) this.versionInUrl = suffix[1] as AnchoreApiVersion;
  }

  async request(request: AnchoreRequest, signal: AbortSignal): Promise<AnchoreAnswer> {
    const options: AxiosRequestConfig = {
      method: request.method,
      url: `${this.root}${request.path}`,
      auth: { username: this.config.username, password: this.config.password },
      headers: {
        accept: 'application/json',
        ...(this.config.account !== undefined ? { 'x-anchore-account': this.config.account } : {}),
      },
      ...(request.query !== undefined ? { params: request.query } : {}),
      ...(request.body !== undefined ? { data: request.body } : {}),
      responseType: 'json',
      validateStatus: (status) => (status >= 200 && status < 300) || status === 404,
      // Anchore answers JSON of modest size; a runaway body is not an answer.
      maxContentLength: 16 * 1024 * 1024,
    };
    return this.deps.guard.run(async (callSignal) => {
      try {
        const response = await this.deps.http.request<unknown>({ ...options, signal: callSignal });
        return { status: response.status, body: response.data };
      } catch (error) {
        throw this.errorOf(request.what, error);
      }
    }, signal);
  }

  private errorOf(what: string, error: unknown): ScannerError {
    const generic = scannerErrorOf(`Anchore ${what}`, error);
    if (!isAxiosError(error) || error.response === undefined) return generic;
    const status = error.response.status;
    const said = errorMessageOf(error.response.data);
    const detail = said !== undefined && said !== 'Unauthorized' ? `: ${said}` : '';
    if (status === 401) {
      return new ScannerError(
        `Anchore rejected the credentials (401): check analyzer.anchore.username and password`,
        false,
        401,
      );
    }
    if (status === 403) {
      const account =
        this.config.account !== undefined
          ? ` or may not act in account ${this.config.account} (x-anchore-account)`
          : '';
      return new ScannerError(
        `Anchore refused ${what} (403): user ${this.config.username} lacks the permission${account}${detail}`,
        false,
        403,
      );
    }
    return new ScannerError(`Anchore ${what}: HTTP ${status}${detail}`, generic.transient, status);
  }
}
