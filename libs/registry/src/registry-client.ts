import type { IncomingHttpHeaders } from 'node:http';
import {
  type BlobLocation,
  type ContentDescriptor,
  type PlatformImage,
  RegistryError,
  type RegistryResolver,
  type ResolvedImage,
} from '@scangate/analysis';
import type { PolicyConfig, RegistriesConfig } from '@scangate/config';
import type { ImageRef } from '@scangate/image-ref';
import { RegistryAllowlist } from '@scangate/policy';
import { DockerCredentials } from './docker-config';
import { type DnsLookup, EgressGuard, HostList } from './egress-guard';
import {
  GuardedTransport,
  type SocketConnect,
  type TransportRequest,
  type TransportResponse,
} from './guarded-transport';
import {
  MANIFEST_ACCEPT,
  type ParsedManifest,
  type PlatformSpec,
  bareMediaType,
  digestOf,
  isDigest,
  parseManifest,
  parsePlatform,
  platformName,
  selectPlatforms,
} from './manifest';
import { type Authorization, RegistryAuth, type RegistryEndpoint } from './registry-auth';

export interface RegistryClientOptions {
  /** Platforms analysed from an index, `os/arch[/variant]`; default `['linux/amd64']`. */
  readonly platforms?: readonly string[];
  /** Per HTTP exchange (connect to last byte); default 10 s. */
  readonly timeoutMs?: number;
  /** Manifest and index size cap; default 4 MiB (what OCI registries must accept). */
  readonly manifestMaxBytes?: number;
  /** Image config blob cap; default 1 MiB. */
  readonly configMaxBytes?: number;
  /** Token answer cap; default 64 KiB. */
  readonly tokenMaxBytes?: number;
  /** Concurrent resolutions per registry (and sockets per host); default 4. */
  readonly maxConcurrencyPerRegistry?: number;
  /** Longest Retry-After honoured on a 429 (longer: TOO_MANY_REQUESTS at once); default 5 s. */
  readonly maxRetryAfterMs?: number;
  /** Retries after a 429; default 2. */
  readonly maxRateLimitRetries?: number;
  /** Hosts a Bearer realm may point at besides the registry's own; default `['auth.docker.io']`. */
  readonly tokenRealmHosts?: readonly string[];
  /** Credentials; default from `registries.dockerConfigFile` (none when unset). */
  readonly credentials?: DockerCredentials;
  /** DNS resolution used by the egress guard (tests inject one). */
  readonly lookup?: DnsLookup;
  /** Opens sockets to approved addresses (tests spy on it). */
  readonly connect?: SocketConnect;
  /** Clock for token expiry (tests inject one). */
  readonly now?: () => number;
}

/** What `fromConfig` reads: `registries.*` and `policy.allowedRegistries`. */
export interface RegistryClientConfig {
  readonly registries: RegistriesConfig;
  readonly policy: Pick<PolicyConfig, 'allowedRegistries'>;
}

const MAX_REDIRECTS = 5;
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/**
 * The registry client: resolves a reference to its manifest digest (HEAD with the four manifest
 * types, GET + sha256 fallback, every fetched manifest checked against its digest), picks the
 * configured platforms from an index and lists config and layers with the URL and headers a scanner
 * fetches them with. Every host it talks to is attacker-chosen input: see EgressGuard.
 */
export class RegistryClient implements RegistryResolver {
  private readonly guard: EgressGuard;
  private readonly transport: GuardedTransport;
  private readonly auth: RegistryAuth;
  private readonly allowlist: RegistryAllowlist;
  private readonly insecure: HostList;
  private readonly platforms: readonly PlatformSpec[];
  private readonly limits = new Map<string, Semaphore>();
  private readonly timeoutMs: number;
  private readonly manifestMaxBytes: number;
  private readonly configMaxBytes: number;
  private readonly maxConcurrency: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxRateLimitRetries: number;

  constructor(config: RegistryClientConfig, options: RegistryClientOptions = {}) {
    const { registries } = config;
    this.guard = new EgressGuard({
      allowPrivateNetworks: registries.allowPrivateNetworks,
      privateHosts: registries.privateHosts,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.manifestMaxBytes = options.manifestMaxBytes ?? 4 * 1024 * 1024;
    this.configMaxBytes = options.configMaxBytes ?? 1024 * 1024;
    this.maxConcurrency = options.maxConcurrencyPerRegistry ?? 4;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 5_000;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 2;
    this.platforms = (options.platforms ?? config.registries.platforms).map(parsePlatform);
    this.allowlist = RegistryAllowlist.compile(config.policy.allowedRegistries, 'policy.allowedRegistries');
    this.insecure = new HostList(registries.insecure);
    this.transport = new GuardedTransport({
      guard: this.guard,
      maxSocketsPerHost: this.maxConcurrency,
      ...(options.connect ? { connect: options.connect } : {}),
    });
    const credentials =
      options.credentials ??
      (registries.dockerConfigFile
        ? DockerCredentials.fromFile(registries.dockerConfigFile)
        : DockerCredentials.empty());
    this.auth = new RegistryAuth({
      credentials,
      guard: this.guard,
      insecure: this.insecure,
      realmHosts: new HostList(options.tokenRealmHosts ?? ['auth.docker.io']),
      send: (request) => this.transport.request(request),
      now: options.now ?? Date.now,
      timeoutMs: this.timeoutMs,
      tokenMaxBytes: options.tokenMaxBytes ?? 64 * 1024,
    });
  }

  static fromConfig(config: RegistryClientConfig, options?: RegistryClientOptions): RegistryClient {
    return new RegistryClient(config, options);
  }

  /** Closes pooled sockets. */
  close(): void {
    this.transport.close();
  }

  async resolve(ref: ImageRef, signal: AbortSignal): Promise<ResolvedImage> {
    if (!this.allowlist.allows(ref)) {
      throw new RegistryError(
        'EGRESS_DENIED',
        `${ref.familiar}: registry ${ref.domain} is not in policy.allowedRegistries (${this.allowlist.describe()})`,
        false,
      );
    }
    const endpoint = this.endpointFor(ref.domain);
    this.guard.checkLiteral(endpoint.hostname, endpoint.port);
    const limit = this.limitFor(endpoint.origin);
    await limit.acquire(signal);
    try {
      return await this.resolveAt(endpoint, ref, signal);
    } finally {
      limit.release();
    }
  }

  /** `docker.io` → `https://registry-1.docker.io`; hosts in `registries.insecure` → `http://`. */
  endpointFor(domain: string): RegistryEndpoint {
    const apiDomain = domain === 'docker.io' ? DOCKER_HUB_API_HOST : domain;
    const probe = new URL(`http://${apiDomain}`);
    const explicitPort = probe.port;
    const plain = this.insecure.has(probe.hostname, explicitPort);
    const origin = new URL(`${plain ? 'http' : 'https'}://${apiDomain}`);
    return {
      domain,
      origin: origin.origin,
      hostname: origin.hostname,
      port: origin.port === '' ? (plain ? 80 : 443) : Number(origin.port),
    };
  }

  private limitFor(origin: string): Semaphore {
    let limit = this.limits.get(origin);
    if (!limit) {
      limit = new Semaphore(this.maxConcurrency);
      this.limits.set(origin, limit);
    }
    return limit;
  }

  private async resolveAt(endpoint: RegistryEndpoint, ref: ImageRef, signal: AbortSignal): Promise<ResolvedImage> {
    const repository = ref.path;
    let digest: string;
    let manifest: { body: Buffer; contentType: string | undefined };
    if (ref.digest) {
      digest = ref.digest;
      manifest = await this.fetchManifest(endpoint, repository, digest, signal);
    } else {
      const tag = ref.tag ?? 'latest';
      const head = await this.registryCall(
        endpoint,
        repository,
        'HEAD',
        `manifests/${tag}`,
        MANIFEST_ACCEPT,
        0,
        signal,
      );
      const announced = header(head.headers, 'docker-content-digest');
      if (head.status === 200 && isDigest(announced)) {
        digest = announced;
        manifest = await this.fetchManifest(endpoint, repository, digest, signal);
      } else {
        const got = await this.registryCall(
          endpoint,
          repository,
          'GET',
          `manifests/${tag}`,
          MANIFEST_ACCEPT,
          this.manifestMaxBytes,
          signal,
        );
        this.expectOk(got, `${ref.familiar}: manifest`, 'manifest');
        digest = digestOf(got.body);
        const claimed = header(got.headers, 'docker-content-digest');
        if (claimed !== undefined && claimed !== '' && claimed !== digestOf(got.body, claimed)) {
          throw mismatch(endpoint, repository, claimed, digestOf(got.body, claimed));
        }
        manifest = { body: got.body, contentType: header(got.headers, 'content-type') };
      }
    }
    const parsed = parseManifest(manifest.body, manifest.contentType, `${ref.familiar} (${digest})`);
    const platforms =
      parsed.kind === 'index'
        ? await this.platformsOfIndex(endpoint, repository, ref, parsed, signal)
        : [await this.platformImage(endpoint, repository, digest, parsed, undefined, signal)];
    return { ref, digest, mediaType: parsed.mediaType, platforms };
  }

  private async platformsOfIndex(
    endpoint: RegistryEndpoint,
    repository: string,
    ref: ImageRef,
    index: Extract<ParsedManifest, { kind: 'index' }>,
    signal: AbortSignal,
  ): Promise<PlatformImage[]> {
    const chosen = selectPlatforms(index.manifests, this.platforms);
    if (chosen.length === 0) {
      const available = index.manifests.flatMap((m) => (m.platform ? [platformName(m.platform)] : [])).join(', ');
      throw new RegistryError(
        'PLATFORM_NOT_FOUND',
        `${ref.familiar}: no manifest for ${this.platforms.map(platformName).join(', ')} (index lists ${available || 'no platforms'})`,
        false,
      );
    }
    const images: PlatformImage[] = [];
    for (const entry of chosen) {
      const fetched = await this.fetchManifest(endpoint, repository, entry.digest, signal);
      const parsed = parseManifest(
        fetched.body,
        fetched.contentType,
        `${ref.familiar} platform manifest ${entry.digest}`,
      );
      if (parsed.kind !== 'manifest') {
        throw new RegistryError(
          'MANIFEST_INVALID',
          `${ref.familiar}: index entry ${entry.digest} is itself an index`,
          false,
        );
      }
      images.push(await this.platformImage(endpoint, repository, entry.digest, parsed, entry.platform, signal));
    }
    return images;
  }

  private async platformImage(
    endpoint: RegistryEndpoint,
    repository: string,
    digest: string,
    manifest: Extract<ParsedManifest, { kind: 'manifest' }>,
    platform: PlatformSpec | undefined,
    signal: AbortSignal,
  ): Promise<PlatformImage> {
    const known = platform ?? (await this.platformFromConfig(endpoint, repository, manifest.config, signal));
    const authorization = await this.auth.authorize(endpoint, repository, signal);
    const locate = (descriptor: ContentDescriptor): BlobLocation => ({
      ...descriptor,
      url: `${endpoint.origin}/v2/${repository}/blobs/${descriptor.digest}`,
      headers: authorization.header ? { authorization: authorization.header } : {},
      ...(authorization.expiresAt !== undefined ? { headersExpireAt: authorization.expiresAt } : {}),
    });
    return {
      digest,
      platform: known ? platformName(known) : '',
      mediaType: manifest.mediaType,
      config: locate(manifest.config),
      layers: manifest.layers.map(locate),
    };
  }

  /** The platform a single-manifest image was built for, from its config blob (digest-checked). */
  private async platformFromConfig(
    endpoint: RegistryEndpoint,
    repository: string,
    config: ContentDescriptor,
    signal: AbortSignal,
  ): Promise<PlatformSpec | undefined> {
    if (config.size > this.configMaxBytes) return undefined;
    const got = await this.registryCall(
      endpoint,
      repository,
      'GET',
      `blobs/${config.digest}`,
      '*/*',
      this.configMaxBytes,
      signal,
    );
    this.expectOk(got, `${endpoint.domain}/${repository}: config blob ${config.digest}`, 'blob');
    const actual = digestOf(got.body, config.digest);
    if (actual !== config.digest) throw mismatch(endpoint, repository, config.digest, actual);
    try {
      const document = JSON.parse(got.body.toString('utf8')) as Record<string, unknown>;
      const { os, architecture, variant } = document;
      if (typeof os !== 'string' || typeof architecture !== 'string') return undefined;
      return { os, architecture, ...(typeof variant === 'string' && variant !== '' ? { variant } : {}) };
    } catch {
      return undefined;
    }
  }

  /** GET a manifest by digest and check the bytes against that digest. */
  private async fetchManifest(
    endpoint: RegistryEndpoint,
    repository: string,
    digest: string,
    signal: AbortSignal,
  ): Promise<{ body: Buffer; contentType: string | undefined }> {
    const got = await this.registryCall(
      endpoint,
      repository,
      'GET',
      `manifests/${digest}`,
      MANIFEST_ACCEPT,
      this.manifestMaxBytes,
      signal,
    );
    this.expectOk(got, `${endpoint.domain}/${repository}@${digest}: manifest`, 'manifest');
    const actual = digestOf(got.body, digest);
    if (actual !== digest) throw mismatch(endpoint, repository, digest, actual);
    return { body: got.body, contentType: header(got.headers, 'content-type') };
  }

  /**
   * One registry API call for `repository`, authenticated: anonymous or with the remembered
   * challenge's answer first, then once more after a 401 with the new challenge's answer.
   */
  private async registryCall(
    endpoint: RegistryEndpoint,
    repository: string,
    method: 'GET' | 'HEAD',
    path: string,
    accept: string,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<TransportResponse> {
    const url = new URL(`${endpoint.origin}/v2/${repository}/${path}`);
    let authorization: Authorization = await this.auth.authorize(endpoint, repository, signal);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept };
      if (authorization.header) headers['authorization'] = authorization.header;
      const response = await this.send({ url, method, headers, maxBytes, timeoutMs: this.timeoutMs, signal });
      if (response.status !== 401) return response;
      if (attempt > 0) throw this.auth.unauthorized(endpoint, repository);
      authorization = await this.auth.challenged(endpoint, repository, response.headers['www-authenticate'], signal);
    }
  }

  /**
   * Sends a request, following redirects (each target re-checked by the guard at connect; the
   * Authorization header only ever goes back to the original origin) and honouring 429 Retry-After
   * up to a bound.
   */
  private async send(request: TransportRequest): Promise<TransportResponse> {
    let current = request;
    let rateLimited = 0;
    for (let hops = 0; ;) {
      const response = await this.transport.request(current);
      if (response.status === 429) {
        const waitMs = retryAfterMs(header(response.headers, 'retry-after'));
        if (rateLimited >= this.maxRateLimitRetries || waitMs > this.maxRetryAfterMs) {
          throw new RegistryError(
            'TOO_MANY_REQUESTS',
            `${current.url.origin}: rate limited (429${waitMs > 0 ? `, retry after ${Math.ceil(waitMs / 1000)} s` : ''})`,
            true,
          );
        }
        rateLimited++;
        await sleep(waitMs, current.signal);
        continue;
      }
      const location = header(response.headers, 'location');
      if (response.status < 300 || response.status >= 400 || response.status === 304 || location === undefined)
        return response;
      if (++hops > MAX_REDIRECTS) {
        throw new RegistryError('PROTOCOL_ERROR', `${request.url.origin}: more than ${MAX_REDIRECTS} redirects`, false);
      }
      current = this.redirected(request, current, location);
    }
  }

  private redirected(original: TransportRequest, current: TransportRequest, location: string): TransportRequest {
    let target: URL;
    try {
      target = new URL(location, current.url);
    } catch {
      throw new RegistryError('PROTOCOL_ERROR', `${current.url.origin}: redirect to an invalid URL`, false);
    }
    const port = target.port === '' ? (target.protocol === 'https:' ? 443 : 80) : Number(target.port);
    if (target.username !== '' || target.password !== '') {
      throw new RegistryError('EGRESS_DENIED', `${current.url.origin}: redirect to a URL with userinfo refused`, false);
    }
    const plainAllowed =
      target.protocol === 'http:' &&
      (this.insecure.has(target.hostname, port) || target.origin === original.url.origin);
    if (target.protocol !== 'https:' && !plainAllowed) {
      throw new RegistryError(
        'EGRESS_DENIED',
        `${current.url.origin}: redirect to ${target.origin} (not HTTPS) refused`,
        false,
      );
    }
    this.guard.checkLiteral(target.hostname, port);
    const headers: Record<string, string> = { ...current.headers };
    // Credentials never leave the origin they were issued for (blob storage gets a signed URL).
    if (target.origin !== original.url.origin) delete headers['authorization'];
    return { ...current, url: target, headers };
  }

  private expectOk(response: TransportResponse, what: string, kind: 'manifest' | 'blob'): void {
    if (response.status === 200) return;
    const code = errorCode(response.body);
    const detail = code ? ` (${code})` : '';
    switch (true) {
      case response.status === 404:
        if (code === 'NAME_UNKNOWN')
          throw new RegistryError('NAME_UNKNOWN', `${what}: repository unknown${detail}`, false);
        if (kind === 'blob') throw new RegistryError('MANIFEST_INVALID', `${what}: blob unknown${detail}`, false);
        throw new RegistryError('MANIFEST_UNKNOWN', `${what}: unknown${detail}`, false);
      case response.status === 403:
        throw new RegistryError('DENIED', `${what}: access denied (403)${detail}`, false);
      case response.status === 406 || response.status === 415:
        throw new RegistryError(
          'UNSUPPORTED_MEDIA_TYPE',
          `${what}: registry cannot serve an accepted media type (${response.status})`,
          false,
        );
      case response.status >= 500:
        throw new RegistryError('SERVER_ERROR', `${what}: registry answered ${response.status}${detail}`, true);
      default:
        throw new RegistryError('PROTOCOL_ERROR', `${what}: registry answered ${response.status}${detail}`, false);
    }
  }
}

function mismatch(endpoint: RegistryEndpoint, repository: string, expected: string, actual: string): RegistryError {
  return new RegistryError(
    'DIGEST_MISMATCH',
    `${endpoint.domain}/${repository}: content does not match its digest (expected ${expected}, got ${actual})`,
    false,
  );
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The first `errors[].code` of a registry error body, if it is one. */
function errorCode(body: Buffer): string | undefined {
  try {
    const document = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[] };
    const code = document.errors?.[0]?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** `Retry-After: 120` or an HTTP date → ms; absent or unreadable → 1 s. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (value === undefined || value.trim() === '') return 1000;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RegistryError('ABORTED', 'aborted while waiting for Retry-After', true));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Bounded concurrency per registry. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  acquire(signal: AbortSignal): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(grant);
        if (at !== -1) this.waiting.splice(at, 1);
        reject(new RegistryError('ABORTED', 'aborted while waiting for a registry slot', true));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}
