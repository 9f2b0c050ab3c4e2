/**
 * The validated configuration, as every other package sees it (PRODUCT.md §4).
 * Produced once at boot by loadConfig(); nothing else reads files or process.env.
 */
export type AdmissionMode = 'enforce' | 'warn' | 'audit';
export type FallbackDecision = 'deny' | 'allow';
export type AnalyzerType = 'none' | 'anchore' | 'clair';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface TlsConfig {
  readonly certFile?: string;
  readonly keyFile?: string;
  /** When set, callers must present a client certificate issued by this CA (mTLS). */
  readonly clientCAFile?: string;
}

export interface ServerConfig {
  readonly port: number;
  /** Listen address; default `0.0.0.0`. */
  readonly host: string;
  readonly tls: TlsConfig;
  readonly bodyLimitBytes: number;
}

export interface AdminConfig {
  readonly port: number;
  /** Resolved bearer token (from `token` or the contents of `tokenFile`). */
  readonly token: string;
}

interface RedisCommonConfig {
  /** As configured; keys use it wrapped in `{…}` (a Cluster hash tag) unless it has one. */
  readonly prefix: string;
  /** Timeout of admission-path commands (verdict and tag lookups). */
  readonly commandTimeoutMs: number;
}

/** `redis.url`: one server. */
export interface RedisStandaloneConfig extends RedisCommonConfig {
  readonly mode: 'standalone';
  readonly url: string;
}

/** `redis.sentinels` + `redis.sentinelName`: the master is asked of the sentinels. */
export interface RedisSentinelConfig extends RedisCommonConfig {
  readonly mode: 'sentinel';
  /** `host` or `host:port` (26379 when omitted). */
  readonly sentinels: readonly string[];
  readonly sentinelName: string;
}

/** `redis.cluster`: seed nodes of a Redis Cluster. */
export interface RedisClusterConfig extends RedisCommonConfig {
  readonly mode: 'cluster';
  /** `host` or `host:port` (6379 when omitted). */
  readonly cluster: readonly string[];
}

/** Exactly one of url, sentinels or cluster was given; `mode` says which. */
export type RedisConfig = RedisStandaloneConfig | RedisSentinelConfig | RedisClusterConfig;

export interface CacheConfig {
  readonly allowTTL: number;
  readonly denyTTL: number;
  readonly tagTTL: number;
  readonly errorBackoffMs: number;
  /** Bound of the webhook's in-process cache (verdicts + tag memos); 0: none. */
  readonly l1MaxEntries: number;
}

export interface WorkerConfig {
  readonly concurrency: number;
  /** How long a stopping worker lets active jobs finish before handing them back. */
  readonly shutdownGraceMs: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  /** The worker process's /metrics port; 0: off. */
  readonly metricsPort: number;
}

export interface TagRules {
  readonly denyLatest: boolean;
  readonly requireDigest: boolean;
}

export interface PolicyConfig {
  /** Registry hosts (`host[:port]`) or host + repository prefixes (`docker.io/mycompany`). Empty: any. */
  readonly allowedRegistries: readonly string[];
  /** Patterns that pass without analysis (see libs/policy image-pattern). */
  readonly allowedImages: readonly string[];
  readonly deniedImages: readonly string[];
  readonly tags: TagRules;
}

/** A per-namespace override; matched by namespace name (exact or `*` glob) or by labels. */
export interface NamespaceOverride {
  readonly names: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly mode?: AdmissionMode;
  readonly policy?: Partial<PolicyConfig>;
}

export interface BreakGlassConfig {
  readonly enabled: boolean;
  readonly annotation: string;
}

export interface AdmissionConfig {
  readonly mode: AdmissionMode;
  readonly waitBudgetMs: number;
  readonly onPending: FallbackDecision;
  readonly onError: FallbackDecision;
  readonly exemptNamespaces: readonly string[];
  readonly breakGlass: BreakGlassConfig;
  readonly namespaces: readonly NamespaceOverride[];
}

export interface AnchoreConfig {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly account?: string;
  readonly policyId?: string;
  readonly apiVersion: 'auto' | 'v1' | 'v2';
}

export interface ClairConfig {
  readonly url: string;
  readonly psk?: string;
  readonly issuer: string;
  readonly maxSeverity: string;
  readonly maxUnfixedSeverity: string;
  readonly ignore: readonly string[];
  readonly platform: string;
  readonly indexTimeoutMs: number;
  readonly notifier: ClairNotifierConfig;
}

/** Clair's notifier webhook receiver; disabled (404) without a token. */
export interface ClairNotifierConfig {
  readonly header: string;
  /** Resolved secret (from `token` or the contents of `tokenFile`). */
  readonly token?: string;
  readonly pageSize: number;
}

export interface AnalyzerBreakerConfig {
  readonly failureThreshold: number;
  readonly openMs: number;
}

export interface AnalyzerConfig {
  readonly type: AnalyzerType;
  readonly anchore?: AnchoreConfig;
  readonly clair?: ClairConfig;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly pollIntervalMs: number;
  readonly breaker: AnalyzerBreakerConfig;
}

export interface RegistriesConfig {
  readonly dockerConfigFile?: string;
  readonly insecure: readonly string[];
  readonly allowPrivateNetworks: boolean;
  readonly privateHosts: readonly string[];
  /** Platforms chosen from a multi-arch index (`os/arch[/variant]`), default `linux/amd64`. */
  readonly platforms: readonly string[];
}

export interface LogConfig {
  readonly level: LogLevel;
}

export interface ScangateConfig {
  /** True when started without a config file: in-memory store, analyzer none, self-signed TLS. */
  readonly embedded: boolean;
  readonly server: ServerConfig;
  readonly admin: AdminConfig;
  /** Absent: embedded in-memory verdict store and in-process analysis. */
  readonly redis?: RedisConfig;
  readonly cache: CacheConfig;
  readonly admission: AdmissionConfig;
  readonly policy: PolicyConfig;
  readonly analyzer: AnalyzerConfig;
  readonly registries: RegistriesConfig;
  readonly worker: WorkerConfig;
  readonly log: LogConfig;
  /** Directory for local state (the embedded self-signed certificate), as configured. */
  readonly dataDir: string;
}
