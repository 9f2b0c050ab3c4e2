import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { ExecCredential } from './exec-credential';
import { runExecCredential } from './exec-credential';
import type { KubeConnection } from './kubeconfig';

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
}

/** An API call that ended in a status the caller did not expect; the message is the API's own. */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path}: ${status} ${statusMessage(body)}`);
  }
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Ask a credential plugin again this long before its token expires. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * A minimal Kubernetes API client over node:https (JSON in, JSON out), authenticated the way the
 * connection says: client certificate, bearer token (or token file, re-read per request) or an
 * exec credential plugin (cached until it expires).
 */
export class KubeClient {
  private credential: ExecCredential | undefined;

  constructor(readonly connection: KubeConnection) {}

  async request(method: string, path: string, body?: unknown): Promise<KubeResponse> {
    const url = new URL(this.connection.server + path);
    const credential = await this.execCredential();
    const token = credential?.token ?? this.bearerToken();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'scangate-cli' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const cert = credential?.clientCertificate ?? this.connection.clientCertificate;
    const key = credential?.clientKey ?? this.connection.clientKey;
    const options: RequestOptions = {
      method,
      headers,
      timeout: REQUEST_TIMEOUT_MS,
      ...(this.connection.ca !== undefined ? { ca: this.connection.ca } : {}),
      ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
      ...(this.connection.tlsServerName !== undefined ? { servername: this.connection.tlsServerName } : {}),
      rejectUnauthorized: !this.connection.insecureSkipTlsVerify,
    };
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            // Not JSON (a proxy's error page): keep the text for the message.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.once('timeout', () =>
        req.destroy(new Error(`${method} ${url.href}: no answer within ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.once('error', (error) =>
        reject(new Error(`${method} ${url.href}: ${error.message} (${this.connection.source})`)),
      );
      req.end(payload);
    });
  }

  /** GET that returns undefined on 404 and throws KubeApiError on any other non-200. */
  async getIfExists(path: string): Promise<unknown> {
    const response = await this.request('GET', path);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new KubeApiError('GET', path, response.status, response.body);
    return response.body;
  }

  private bearerToken(): string | undefined {
    if (this.connection.tokenFile !== undefined) return readFileSync(this.connection.tokenFile, 'utf8').trim();
    return this.connection.token;
  }

  private async execCredential(): Promise<ExecCredential | undefined> {
    const exec = this.connection.exec;
    if (exec === undefined) return undefined;
    const fresh =
      this.credential !== undefined && (this.credential.expiresAt ?? Infinity) - EXPIRY_MARGIN_MS > Date.now();
    if (!fresh) this.credential = await runExecCredential(exec);
    return this.credential;
  }
}

/** `metav1.Status.message` when the body is one, else a short rendering of the body. */
function statusMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  return (typeof body === 'string' ? body : JSON.stringify(body ?? '')).slice(0, 300);
}
