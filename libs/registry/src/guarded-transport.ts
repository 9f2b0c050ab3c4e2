import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { RegistryError } from '@scangate/analysis';
import type { EgressGuard } from './egress-guard';

/**
 * Opens the TCP (or TLS) connection. `options.host` is always the IP literal the egress guard
 * approved; `servername` carries the name for TLS. Injectable so tests can spy on it.
 */
export type SocketConnect = (options: ConnectionOptions & { host: string; port: number }, secure: boolean) => Socket;

export const defaultSocketConnect: SocketConnect = (options, secure) =>
  secure ? tlsConnect(options) : netConnect({ host: options.host, port: options.port });

export interface TransportRequest {
  readonly url: URL;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Responses larger than this are refused (RESPONSE_TOO_LARGE) without reading further. */
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /** The caller's signal (shutdown, job cancelled). */
  readonly signal: AbortSignal;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface TransportOptions {
  readonly guard: EgressGuard;
  readonly connect?: SocketConnect;
  /** Sockets per host:port (Node's agent pools by host:port). */
  readonly maxSocketsPerHost: number;
  /** Extra TLS options (a private CA for a registry). */
  readonly tls?: Pick<ConnectionOptions, 'ca' | 'rejectUnauthorized'>;
}

interface AgentConnectOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  servername?: string;
}

type CreateConnectionCallback = (error: Error | null, socket?: Socket) => void;

/**
 * One HTTP(S) exchange, no redirects followed (the caller decides, per hop, what to send where).
 * Every socket is opened by the agents below, which ask the egress guard for the address first and
 * connect to that IP literal: no DNS answer can change between the check and the connect.
 */
export class GuardedTransport {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(options: TransportOptions) {
    const connect = options.connect ?? defaultSocketConnect;
    const guarded = (secure: boolean) =>
      function createConnection(
        this: unknown,
        raw: AgentConnectOptions,
        callback: CreateConnectionCallback,
      ): undefined {
        const hostname = raw.hostname ?? raw.host ?? 'localhost';
        const port = Number(raw.port ?? (secure ? 443 : 80));
        options.guard.addressFor(hostname, port).then(
          ({ address }) => {
            let socket: Socket;
            try {
              const bare = hostname.replace(/^\[|\]$/g, '');
              const tlsOptions: ConnectionOptions = secure
                ? { ...options.tls, ...(isIP(bare) === 0 ? { servername: bare } : {}) }
                : {};
              socket = connect({ ...tlsOptions, host: address, port }, secure);
            } catch (error) {
              callback(error as Error);
              return;
            }
            callback(null, socket);
          },
          (error: unknown) => callback(error as Error),
        );
        return undefined;
      };
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSocketsPerHost,
      maxFreeSockets: options.maxSocketsPerHost,
    };
    this.httpAgent = new HttpAgent(agentOptions);
    this.httpsAgent = new HttpsAgent({ ...agentOptions, ...options.tls });
    // Node's Agent calls createConnection(options, callback) and accepts an asynchronous answer
    // through the callback when it returns nothing (lib/_http_agent.js createSocket).
    Object.assign(this.httpAgent, { createConnection: guarded(false) });
    Object.assign(this.httpsAgent, { createConnection: guarded(true) });
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    const secure = req.url.protocol === 'https:';
    if (!secure && req.url.protocol !== 'http:') {
      return Promise.reject(new RegistryError('EGRESS_DENIED', `refusing a ${req.url.protocol} URL`, false));
    }
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = AbortSignal.any([req.signal, timeout]);
    const describe = `${req.method} ${req.url.origin}${req.url.pathname}`;
    return new Promise<TransportResponse>((resolve, reject) => {
      const fail = (error: unknown) => reject(toRegistryError(error, req, timeout, describe));
      if (signal.aborted) {
        fail(signal.reason);
        return;
      }
      const headers: Record<string, string> = { 'user-agent': 'scangate', ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const outgoing = (secure ? httpsRequest : httpRequest)(req.url, {
        method: req.method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        signal,
      });
      outgoing.on('error', fail);
      outgoing.on('response', (response: IncomingMessage) => {
        const declared = Number(response.headers['content-length'] ?? NaN);
        if (req.method !== 'HEAD' && Number.isFinite(declared) && declared > req.maxBytes) {
          reject(tooLarge(describe, req.maxBytes));
          response.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > req.maxBytes) {
            // Reject before destroying: destroy() emits 'aborted' synchronously.
            reject(tooLarge(describe, req.maxBytes));
            response.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('aborted', () => fail(new Error('response aborted')));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
      });
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function tooLarge(describe: string, maxBytes: number): RegistryError {
  return new RegistryError('RESPONSE_TOO_LARGE', `${describe}: response larger than ${maxBytes} bytes`, false);
}

function toRegistryError(error: unknown, req: TransportRequest, timeout: AbortSignal, describe: string): RegistryError {
  if (error instanceof RegistryError) return error;
  if (req.signal.aborted) return new RegistryError('ABORTED', `${describe}: aborted`, true);
  if (timeout.aborted) return new RegistryError('TIMEOUT', `${describe}: no answer within ${req.timeoutMs} ms`, true);
  const code = (error as { code?: unknown }).code;
  const text = error instanceof Error ? error.message : String(error);
  return new RegistryError('NETWORK', `${describe}: ${typeof code === 'string' ? `${code} ` : ''}${text}`, true);
}
