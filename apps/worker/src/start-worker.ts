import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Analyzer, RegistryResolver } from '@scangate/analysis';
import type { ScangateConfig } from '@scangate/config';
import type { VerdictStore } from '@scangate/verdicts';
import { closeConnection, connectionReady, createRedisConnection, RedisVerdictStore } from '@scangate/verdicts';
import type { Logger } from 'pino';
import { PinoNestLogger } from '@scangate/logging';
import { WorkerModule } from './worker.module';

export interface StartWorkerOptions {
  readonly config: ScangateConfig;
  readonly analyzer: Analyzer;
  readonly resolver: RegistryResolver;
  readonly logger: Logger;
  /** The verdict store to write to; default: a RedisVerdictStore from `config` (closed on close()). */
  readonly store?: VerdictStore;
  /** How long to wait for Redis at start before giving up. Default 10 s. */
  readonly startupTimeoutMs?: number;
}

export interface RunningWorker {
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
  try {
    await connectionReady(connection, options.startupTimeoutMs ?? 10_000);
    const app = await NestFactory.createApplicationContext(
      WorkerModule.register({
        config: { redis, worker: config.worker },
        logger,
        analyzer: options.analyzer,
        resolver: options.resolver,
        store,
        ownsStore: options.store === undefined,
        connection,
      }),
      { logger: new PinoNestLogger(logger), abortOnError: false },
    );
    let closing: Promise<void> | undefined;
    return { close: () => (closing ??= app.close()) };
  } catch (error) {
    if (options.store === undefined) await store.close();
    await closeConnection(connection, 1000);
    throw error;
  }
}
