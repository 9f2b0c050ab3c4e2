import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

// One-off requests from the orchestrator (readiness, decision checks, metrics scrapes). Loopback
// servers with the run's throwaway certificate: not verified, as wrk does not verify either.

export interface SimpleResponse {
  readonly status: number;
  readonly text: string;
}

function send(
  method: string,
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<SimpleResponse> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise<SimpleResponse>((resolve, reject) => {
    const req = request(url, { method, headers, rejectUnauthorized: false, timeout: 10_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function postJson(url: string, body: string): Promise<SimpleResponse> {
  return send('POST', url, body, { 'content-type': 'application/json' });
}

export function getText(url: string): Promise<SimpleResponse> {
  return send('GET', url);
}

/** `response.allowed` of an AdmissionReview answer (throws on anything else). */
export function allowedOf(response: SimpleResponse): boolean {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.text.slice(0, 300)}`);
  const allowed = (JSON.parse(response.text) as { response?: { allowed?: unknown } }).response?.allowed;
  if (typeof allowed !== 'boolean') throw new Error(`no response.allowed in ${response.text.slice(0, 300)}`);
  return allowed;
}
