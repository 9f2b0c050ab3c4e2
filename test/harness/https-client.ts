import { Agent, request } from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';

export interface HttpsResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface HttpsClientOptions {
  readonly ca: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

/** A keep-alive HTTPS client for one server, like the API server's connection pool. */
export class HttpsClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    options: HttpsClientOptions,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 8, ca: options.ca, cert: options.cert, key: options.key });
  }

  post(path: string, body: string | Buffer | object, headers: OutgoingHttpHeaders = {}): Promise<HttpsResponse> {
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    return this.send('POST', path, payload, { 'content-type': 'application/json', ...headers });
  }

  get(path: string): Promise<HttpsResponse> {
    return this.send('GET', path, undefined, {});
  }

  send(
    method: string,
    path: string,
    payload: string | Buffer | undefined,
    headers: OutgoingHttpHeaders,
  ): Promise<HttpsResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.baseUrl),
        { method, agent: this.agent, headers, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
