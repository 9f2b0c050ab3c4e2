import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { WorkerConfig } from '@scangate/config';
import type { RedisConnection, VerdictStore } from '@scangate/verdicts';
import { closeConnection, VERDICT_STORE } from '@scangate/verdicts';
import type { Logger } from 'pino';
import { ScanProcessor } from './scan.processor';
import { OWNS_STORE, QUEUE_CONNECTION, WORKER_CONFIG, WORKER_LOGGER } from './worker.tokens';

/** Bound of each connection's QUIT at the end of shutdown. */
const QUIT_TIMEOUT_MS = 1000;

/**
 * Start and graceful shutdown, in one place. Start: consume once the queue connection is ready.
 * Shutdown (`close()` / SIGTERM): stop taking jobs, let active ones finish within
 * `worker.shutdownGraceMs`, hand the rest back to the queue, then close the verdict store (if it
 * was made here) and quit the queue connection — each step bounded.
 */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly processor: ScanProcessor,
    @Inject(VERDICT_STORE) private readonly store: VerdictStore,
    @Inject(OWNS_STORE) private readonly ownsStore: boolean,
    @Inject(QUEUE_CONNECTION) private readonly connection: RedisConnection,
    @Inject(WORKER_CONFIG) private readonly config: { readonly worker: WorkerConfig },
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.processor.start();
    this.logger.info({ concurrency: this.config.worker.concurrency }, 'analysis worker consuming');
  }

  async onApplicationShutdown(): Promise<void> {
    const started = Date.now();
    await this.processor.stop(this.config.worker.shutdownGraceMs);
    if (this.ownsStore) await this.store.close();
    await closeConnection(this.connection, QUIT_TIMEOUT_MS);
    this.logger.info({ durationMs: Date.now() - started }, 'analysis worker stopped');
  }
}
