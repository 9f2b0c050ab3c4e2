import type {
  AnalyzerConfig,
  NamespaceOverride,
  PolicyConfig,
  RedisConfig,
  ScangateConfig,
  TagRules,
} from './config.types';
import type { AdmissionSchema, NamespaceOverrideSchema } from './schema/admission.config';
import type { AnalyzerSchema } from './schema/analyzer.config';
import type { PolicyOverrideSchema, PolicySchema } from './schema/policy.config';
import type { RedisSchema } from './schema/redis.config';
import type { ScangateConfigSchema } from './schema/scangate.config';

/** Only called on a schema that passed every check, with the admin token resolved. */
export function toScangateConfig(
  schema: ScangateConfigSchema,
  options: { readonly embedded: boolean; readonly adminToken: string },
): ScangateConfig {
  const { server, admin, redis, cache, registries, worker } = schema;
  const policy = toPolicy(schema.policy);
  return deepFreeze({
    embedded: options.embedded,
    server: {
      port: server.port,
      host: server.host,
      tls: {
        ...optional('certFile', server.tls.certFile),
        ...optional('keyFile', server.tls.keyFile),
        ...optional('clientCAFile', server.tls.clientCAFile),
      },
      bodyLimitBytes: server.bodyLimitBytes,
    },
    admin: { port: admin.port, token: options.adminToken },
    ...(redis !== undefined ? { redis: toRedis(redis) } : {}),
    cache: {
      allowTTL: cache.allowTTL,
      denyTTL: cache.denyTTL,
      tagTTL: cache.tagTTL,
      errorBackoffMs: cache.errorBackoffMs,
      l1MaxEntries: cache.l1MaxEntries,
    },
    admission: toAdmission(schema.admission, policy),
    policy,
    analyzer: toAnalyzer(schema.analyzer),
    registries: {
      ...optional('dockerConfigFile', registries.dockerConfigFile),
      insecure: [...registries.insecure],
      allowPrivateNetworks: registries.allowPrivateNetworks,
      privateHosts: [...registries.privateHosts],
      platforms: [...registries.platforms],
    },
    worker: {
      concurrency: worker.concurrency,
      shutdownGraceMs: worker.shutdownGraceMs,
      lockDurationMs: worker.lockDurationMs,
      stalledIntervalMs: worker.stalledIntervalMs,
      metricsPort: worker.metricsPort,
    },
    log: { level: schema.log.level },
    dataDir: schema.dataDir,
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** config-rules.ts made sure exactly one of url, sentinels (with sentinelName) or cluster is given. */
function toRedis(redis: RedisSchema): RedisConfig {
  const common = { prefix: redis.prefix, commandTimeoutMs: redis.commandTimeoutMs };
  if (redis.url !== undefined) return { mode: 'standalone', url: redis.url, ...common };
  if (redis.sentinels?.length && redis.sentinelName !== undefined) {
    return { mode: 'sentinel', sentinels: [...redis.sentinels], sentinelName: redis.sentinelName, ...common };
  }
  if (redis.cluster?.length) return { mode: 'cluster', cluster: [...redis.cluster], ...common };
  throw new Error('internal: redis section without url, sentinels or cluster');
}

function toPolicy(policy: PolicySchema): PolicyConfig {
  return {
    allowedRegistries: [...policy.allowedRegistries],
    allowedImages: [...policy.allowedImages],
    deniedImages: [...policy.deniedImages],
    tags: { denyLatest: policy.tags.denyLatest, requireDigest: policy.tags.requireDigest },
  };
}

function toAdmission(admission: AdmissionSchema, policy: PolicyConfig): ScangateConfig['admission'] {
  return {
    mode: admission.mode,
    waitBudgetMs: admission.waitBudgetMs,
    onPending: admission.onPending,
    onError: admission.onError,
    exemptNamespaces: [...admission.exemptNamespaces],
    breakGlass: { enabled: admission.breakGlass.enabled, annotation: admission.breakGlass.annotation },
    namespaces: admission.namespaces.map((entry) => toOverride(entry, policy.tags)),
  };
}

function toOverride(entry: NamespaceOverrideSchema, globalTags: TagRules): NamespaceOverride {
  return {
    names: [...entry.names],
    labels: { ...entry.labels },
    ...optional('mode', entry.mode),
    ...(entry.policy ? { policy: toPolicyOverride(entry.policy, globalTags) } : {}),
  };
}

/** Lists replace the global ones; tag rules not given keep the global value. */
function toPolicyOverride(override: PolicyOverrideSchema, globalTags: TagRules): Partial<PolicyConfig> {
  return {
    ...optional('allowedRegistries', override.allowedRegistries && [...override.allowedRegistries]),
    ...optional('allowedImages', override.allowedImages && [...override.allowedImages]),
    ...optional('deniedImages', override.deniedImages && [...override.deniedImages]),
    ...(override.tags
      ? {
          tags: {
            denyLatest: override.tags.denyLatest ?? globalTags.denyLatest,
            requireDigest: override.tags.requireDigest ?? globalTags.requireDigest,
          },
        }
      : {}),
  };
}

/** Only the selected analyzer's section is passed on. */
function toAnalyzer(analyzer: AnalyzerSchema): AnalyzerConfig {
  const { anchore, clair } = analyzer;
  const calls = {
    requestTimeoutMs: analyzer.requestTimeoutMs,
    retries: analyzer.retries,
    pollIntervalMs: analyzer.pollIntervalMs,
    breaker: { failureThreshold: analyzer.breaker.failureThreshold, openMs: analyzer.breaker.openMs },
  };
  if (analyzer.type === 'none') return { type: 'none', ...calls };
  if (analyzer.type === 'anchore') {
    if (!anchore?.url || !anchore.username || anchore.password === undefined) {
      throw new Error('internal: anchore analyzer selected without url, username and password');
    }
    return {
      type: 'anchore',
      ...calls,
      anchore: {
        url: anchore.url,
        username: anchore.username,
        password: anchore.password,
        ...optional('account', anchore.account),
        ...optional('policyId', anchore.policyId),
        apiVersion: anchore.apiVersion,
      },
    };
  }
  if (!clair?.url) throw new Error('internal: clair analyzer selected without url');
  return {
    type: 'clair',
    ...calls,
    clair: {
      url: clair.url,
      ...optional('psk', clair.psk),
      issuer: clair.issuer,
      maxSeverity: clair.maxSeverity,
      maxUnfixedSeverity: clair.maxUnfixedSeverity,
      ignore: [...clair.ignore],
      platform: clair.platform,
      indexTimeoutMs: clair.indexTimeoutMs,
      notifier: {
        header: clair.notifier.header,
        ...optional('token', clair.notifier.token),
        pageSize: clair.notifier.pageSize,
      },
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
