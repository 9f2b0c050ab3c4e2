import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Analyzer, RegistryResolver } from '@scangate/analysis';
import { AnalysisMetrics } from '@scangate/analysis';
import type { ScangateConfig } from '@scangate/config';
import type { VerdictStore } from '@scangate/verdicts';
import { closeConnection, connectionReady, createRedisConnection, RedisVerdictStore } from '@scangate/verdicts';
import type { Logger } from 'pino';
import { PinoNestLogger } from '@scangate/logging';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { startMetricsServer } from './metrics.server';
import { WorkerModule } from './worker.module';

export interface StartWorkerOptions {
  readonly config: ScangateConfig;
  /** The analyzer port; default: the adapter `analyzer.type` names (built with @nestjs/axios). */
  readonly analyzer?: Analyzer;
  readonly resolver: RegistryResolver;
  readonly logger: Logger;
  /** The verdict store to write to; default: a RedisVerdictStore from `config` (closed on close()). */
  readonly store?: VerdictStore;
  /** How long to wait for Redis at start before giving up. Default 10 s. */
  readonly startupTimeoutMs?: number;
}

export interface RunningWorker {
  /** Port of the /metrics listener (undefined when `worker.metricsPort` is 0). */
  readonly metricsPort?: number;
  /** Graceful shutdown (see WorkerLifecycle); idempotent. */
  close(): Promise<void>;
}

export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
}

/**
 * Starts `scangate worker`: a Nest application context consuming the analysis queue. Resolves
 * once the worker is consuming.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { config, logger } = options;
  const redis = config.redis;
  if (!redis) {
    throw new WorkerStartError('scangate worker needs redis; in embedded mode scangate serve analyses in-process');
  }
  const onError = (error: Error): void => logger.warn({ err: error.message }, 'redis connection error');
  const connection = createRedisConnection(redis, 'queue', { onError });
  const store = options.store ?? RedisVerdictStore.fromConfig(redis, config.cache, { onError });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scangate_process_' });
  try {
    await connectionReady(connection, options.startupTimeoutMs ?? 10_000);
    const app = await NestFactory.createApplicationContext(
      WorkerModule.register({
        config: { redis, worker: config.worker },
        logger,
        analyzerConfig: config.analyzer,
        ...(options.analyzer ? { analyzer: options.analyzer } : {}),
        resolver: options.resolver,
        store,
        ownsStore: options.store === undefined,
        connection,
        metrics: new AnalysisMetrics(registry),
      }),
      { logger: new PinoNestLogger(logger), abortOnError: false },
    );
    const metrics =
      config.worker.metricsPort > 0
        ? await startMetricsServer(registry, config.worker.metricsPort, config.server.host)
        : undefined;
    const address = metrics?.address();
    let closing: Promise<void> | undefined;
    return {
      ...(typeof address === 'object' && address ? { metricsPort: address.port } : {}),
      close: () =>
        (closing ??= app
          .close()
          .then(() => new Promise<void>((resolve) => (metrics ? metrics.close(() => resolve()) : resolve())))),
    };
  } catch (error) {
    if (options.store === undefined) await store.close();
    await closeConnection(connection, 1000);
    throw error;
  }
}
