import { RegistryError } from '@scangate/analysis';
import type { DockerCredentials, RegistryCredential } from './docker-config';
import type { EgressGuard, HostList } from './egress-guard';
import type { TransportRequest, TransportResponse } from './guarded-transport';
import { type AuthChallenge, parseWwwAuthenticate } from './www-authenticate';

/** Where a registry's API is reached. */
export interface RegistryEndpoint {
  /** The domain as in the image reference (`docker.io`, `127.0.0.1:5000`): the credentials key. */
  readonly domain: string;
  /** `https://registry-1.docker.io`. */
  readonly origin: string;
  readonly hostname: string;
  readonly port: number;
}

export interface Authorization {
  /** The `Authorization` header value; absent: anonymous. */
  readonly header?: string;
  /** Epoch ms after which a bearer token is expired. */
  readonly expiresAt?: number;
}

export interface RegistryAuthOptions {
  readonly credentials: DockerCredentials;
  readonly guard: EgressGuard;
  readonly insecure: HostList;
  /** Hosts a token realm may point at besides the registry's own host (`auth.docker.io`). */
  readonly realmHosts: HostList;
  readonly send: (request: TransportRequest) => Promise<TransportResponse>;
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly tokenMaxBytes: number;
}

/** Docker's default when a token answer has no `expires_in` (auth-token.md). */
export const DEFAULT_TOKEN_LIFETIME_S = 60;

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Authorization for registry calls: remembers each registry's challenge (Bearer or Basic), fetches
 * bearer tokens from the realm (guarded like any other host) and caches them per registry + scope +
 * identity until they expire.
 */
export class RegistryAuth {
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(private readonly options: RegistryAuthOptions) {}

  credentialFor(endpoint: RegistryEndpoint): RegistryCredential | undefined {
    return this.options.credentials.forRegistry(endpoint.domain);
  }

  /** Authorization for a pull of `repository`, from the remembered challenge (none yet: anonymous). */
  async authorize(endpoint: RegistryEndpoint, repository: string, signal: AbortSignal): Promise<Authorization> {
    const challenge = this.challenges.get(endpoint.origin);
    if (!challenge) return {};
    return this.answer(endpoint, challenge, repository, signal);
  }

  /**
   * After a 401: remembers the challenge, drops the cached token for this scope (it was refused)
   * and returns the authorization to retry with.
   */
  async challenged(
    endpoint: RegistryEndpoint,
    repository: string,
    header: string | string[] | undefined,
    signal: AbortSignal,
  ): Promise<Authorization> {
    const parsed = parseWwwAuthenticate(header);
    const challenge = parsed.find((c) => c.scheme === 'bearer') ?? parsed.find((c) => c.scheme === 'basic');
    if (!challenge) throw this.unauthorized(endpoint, repository, 'the registry sent no Bearer or Basic challenge');
    this.challenges.set(endpoint.origin, challenge);
    this.tokens.delete(this.tokenKey(endpoint, repository));
    return this.answer(endpoint, challenge, repository, signal);
  }

  /** The permanent error for a request still refused after authenticating. */
  unauthorized(endpoint: RegistryEndpoint, repository: string, detail?: string): RegistryError {
    const credential = this.credentialFor(endpoint);
    const who = credential
      ? 'the configured credentials were rejected'
      : 'anonymous access was refused (no credentials configured)';
    return new RegistryError(
      'UNAUTHORIZED',
      `${endpoint.domain}/${repository}: ${who}${detail ? `: ${detail}` : ''}`,
      false,
    );
  }

  private async answer(
    endpoint: RegistryEndpoint,
    challenge: AuthChallenge,
    repository: string,
    signal: AbortSignal,
  ): Promise<Authorization> {
    const credential = this.credentialFor(endpoint);
    if (challenge.scheme === 'basic') {
      if (credential?.kind !== 'basic')
        throw this.unauthorized(endpoint, repository, 'Basic authentication needs a username and password');
      return { header: basic(credential.username, credential.password) };
    }
    const key = this.tokenKey(endpoint, repository);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.options.now())
      return { header: `Bearer ${cached.token}`, expiresAt: cached.expiresAt };
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = this.fetchToken(endpoint, challenge, repository, credential, signal).finally(() =>
        this.pending.delete(key),
      );
      this.pending.set(key, inFlight);
    }
    const token = await inFlight;
    this.tokens.set(key, token);
    return { header: `Bearer ${token.token}`, expiresAt: token.expiresAt };
  }

  private tokenKey(endpoint: RegistryEndpoint, repository: string): string {
    const credential = this.credentialFor(endpoint);
    const identity = credential
      ? credential.kind === 'basic'
        ? `basic:${credential.username}`
        : `identity:${credential.username ?? ''}`
      : 'anonymous';
    return `${endpoint.origin}|repository:${repository}:pull|${identity}`;
  }

  private realmUrl(endpoint: RegistryEndpoint, challenge: AuthChallenge): URL {
    const realm = challenge.params['realm'];
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new RegistryError(
        'PROTOCOL_ERROR',
        `${endpoint.domain}: Bearer challenge without a valid realm URL`,
        false,
      );
    }
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    if (url.username !== '' || url.password !== '') {
      throw new RegistryError('EGRESS_DENIED', `${endpoint.domain}: token realm ${url.origin} carries userinfo`, false);
    }
    const sameHost = url.hostname.toLowerCase() === endpoint.hostname.toLowerCase();
    if (!sameHost && !this.options.realmHosts.has(url.hostname, port)) {
      throw new RegistryError(
        'EGRESS_DENIED',
        `${endpoint.domain}: token realm ${url.origin} is on another host, which is not an allowed token host`,
        false,
      );
    }
    if (url.protocol === 'http:' ? !this.options.insecure.has(url.hostname, port) : url.protocol !== 'https:') {
      throw new RegistryError(
        'EGRESS_DENIED',
        `${endpoint.domain}: token realm ${url.origin} is not HTTPS and not in registries.insecure`,
        false,
      );
    }
    this.options.guard.checkLiteral(url.hostname, port);
    return url;
  }

  private async fetchToken(
    endpoint: RegistryEndpoint,
    challenge: AuthChallenge,
    repository: string,
    credential: RegistryCredential | undefined,
    signal: AbortSignal,
  ): Promise<CachedToken> {
    const url = this.realmUrl(endpoint, challenge);
    const scope = `repository:${repository}:pull`;
    const service = challenge.params['service'];
    const headers: Record<string, string> = { accept: 'application/json' };
    let request: TransportRequest;
    const common = { headers, maxBytes: this.options.tokenMaxBytes, timeoutMs: this.options.timeoutMs, signal };
    if (credential?.kind === 'identity-token') {
      // OAuth2 refresh-token grant (distribution docs/spec/auth/oauth.md), what `docker login` stores.
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.identityToken,
        client_id: 'scangate',
        scope,
      });
      if (service !== undefined) form.set('service', service);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      request = { ...common, url, method: 'POST', body: form.toString() };
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      url.searchParams.append('scope', scope);
      if (credential) headers['authorization'] = basic(credential.username, credential.password);
      request = { ...common, url, method: 'GET' };
    }
    const response = await this.options.send(request);
    if (response.status === 401 || response.status === 403) {
      throw this.unauthorized(endpoint, repository, `token server ${url.origin} answered ${response.status}`);
    }
    if (response.status === 429 || response.status >= 500) {
      throw new RegistryError(
        response.status === 429 ? 'TOO_MANY_REQUESTS' : 'SERVER_ERROR',
        `token server ${url.origin} answered ${response.status}`,
        true,
      );
    }
    if (response.status !== 200) {
      throw new RegistryError(
        'PROTOCOL_ERROR',
        `token server ${url.origin} answered ${response.status} (redirects are not followed)`,
        false,
      );
    }
    let document: unknown;
    try {
      document = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new RegistryError('PROTOCOL_ERROR', `token server ${url.origin} answered non-JSON`, false);
    }
    const record = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
    const token = [record['token'], record['access_token']].find((t): t is string => typeof t === 'string' && t !== '');
    if (token === undefined || !/^[\x21-\x7e]+$/.test(token)) {
      throw new RegistryError('PROTOCOL_ERROR', `token server ${url.origin} answered without a usable token`, false);
    }
    const expiresIn =
      typeof record['expires_in'] === 'number' && record['expires_in'] > 0
        ? record['expires_in']
        : DEFAULT_TOKEN_LIFETIME_S;
    return { token, expiresAt: this.options.now() + expiresIn * 1000 };
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
