import type { ScangateConfig } from '@scangate/config';
import type { Analyzer, RegistryResolver } from '@scangate/analysis';
import { AnalysisMetrics, AnalysisService } from '@scangate/analysis';
import type { ImageAnalysisPort } from '@scangate/policy';
import { NoneAnalysis } from '@scangate/policy';
import type { AnalysisQueue } from '@scangate/queue';
import { BullAnalysisQueue, InProcessAnalysisQueue } from '@scangate/queue';
import { RegistryClient } from '@scangate/registry';
import type { RedisConnection, VerdictStore } from '@scangate/verdicts';
import {
  CachingVerdictStore,
  MemoryVerdictStore,
  RedisVerdictStore,
  closeConnection,
  createRedisConnection,
} from '@scangate/verdicts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ReadinessCheck } from '../health/readiness';
import { VerdictCacheMetrics } from '../metrics/verdict-cache.metrics';
import type { AnalyzerIdentity } from './cached-analysis';
import { CachedImageAnalysis } from './cached-analysis';

export interface AnalysisRuntime {
  /** The reviewer's analyzer step. */
  readonly analysis: ImageAnalysisPort;
  /** The verdict store the admin API lists and flushes. */
  readonly store: VerdictStore;
  /** Absent when no analyzer is configured (`analyzer.type: none`). */
  readonly queue?: AnalysisQueue;
  readonly identity?: AnalyzerIdentity;
  readonly readiness: readonly ReadinessCheck[];
  /** Subscribes to outcome and flush events now, so the first admission does not pay for it. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface AnalysisRuntimeOptions {
  readonly config: ScangateConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  /** The analyzer port (Anchore, Clair, a test analyzer); none: local rules only. */
  readonly analyzer?: Analyzer;
  /** Where in-process analyses are counted; default: new ones in `registry`. */
  readonly analysisMetrics?: AnalysisMetrics;
  /** Tag → digest resolution for in-process analysis; default: the registry client from config. */
  readonly resolver?: RegistryResolver;
}

const CLOSE_TIMEOUT_MS = 2000;
/** Redis may be down at start: the webhook still serves (L1, onError) and reconnects by itself. */
const START_TIMEOUT_MS = 2000;

/**
 * Picks the adapters from config: Redis verdict store behind an in-process L1 and a BullMQ queue
 * consumed by `scangate worker` when `redis` is set; otherwise (embedded) an in-memory store and
 * the same analysis service run in this process behind the same queue port.
 */
export function createAnalysisRuntime(options: AnalysisRuntimeOptions): AnalysisRuntime {
  const { config, logger, registry, analyzer } = options;
  const onError = (error: Error): void => logger.warn({ err: error.message }, 'redis connection error');
  const store = config.redis
    ? new CachingVerdictStore(RedisVerdictStore.fromConfig(config.redis, config.cache, { onError }), {
        maxEntries: config.cache.l1MaxEntries,
        tagTTL: config.cache.tagTTL,
      })
    : new MemoryVerdictStore({ lifetimes: config.cache });
  const readiness: ReadinessCheck[] = config.redis ? [{ name: 'redis', isReady: () => store.ping() }] : [];
  const start = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), START_TIMEOUT_MS);
    });
    const result = await Promise.race([store.listen().then(() => 'ok' as const), timeout]).finally(() =>
      clearTimeout(timer),
    );
    if (result === 'timeout') logger.warn('redis is not answering yet; serving from L1 and onError until it does');
  };

  if (!analyzer) {
    return { analysis: new NoneAnalysis(), store, readiness, start, close: () => store.close() };
  }

  const identity = { name: analyzer.name, fingerprint: analyzer.fingerprint };
  let queueConnection: RedisConnection | undefined;
  let ownClient: RegistryClient | undefined;
  let queue: AnalysisQueue;
  if (config.redis) {
    // A hot-path connection: an enqueue during a Redis outage fails fast instead of queueing.
    queueConnection = createRedisConnection(config.redis, 'hot-path', { onError });
    queue = new BullAnalysisQueue({ connection: queueConnection, redis: config.redis, cache: config.cache });
  } else {
    const metrics = options.analysisMetrics ?? new AnalysisMetrics(registry);
    // Embedded mode resolves tags here, through the same guarded registry client the worker uses.
    const resolver = options.resolver ?? (ownClient = RegistryClient.fromConfig(config));
    const service = new AnalysisService(store, resolver, analyzer);
    queue = new InProcessAnalysisQueue(service, {
      concurrency: config.worker.concurrency,
      errorBackoffMs: config.cache.errorBackoffMs,
      closeGraceMs: config.worker.shutdownGraceMs,
      onAttempt: (event) => metrics.record(identity.name, event.result, event.durationMs),
    });
  }
  return {
    analysis: new CachedImageAnalysis(identity, store, queue, new VerdictCacheMetrics(registry)),
    store,
    queue,
    identity,
    readiness,
    start,
    close: async () => {
      await queue.close();
      ownClient?.close();
      if (queueConnection) await closeConnection(queueConnection, CLOSE_TIMEOUT_MS);
      await store.close();
    },
  };
}
