import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { AnalysisMetrics, Analyzer, RegistryResolver } from '@scangate/analysis';
import { AnalysisService } from '@scangate/analysis';
import type { RedisConnection, VerdictStore } from '@scangate/verdicts';
import { VERDICT_STORE } from '@scangate/verdicts';
import type { Logger } from 'pino';
import type { ScanProcessorConfig } from './scan.processor';
import { ScanProcessor } from './scan.processor';
import { WorkerLifecycle } from './worker.lifecycle';
import { OWNS_STORE, QUEUE_CONNECTION, WORKER_CONFIG, WORKER_LOGGER, WORKER_METRICS } from './worker.tokens';

export interface WorkerModuleOptions {
  readonly config: ScanProcessorConfig;
  readonly logger: Logger;
  readonly analyzer: Analyzer;
  readonly resolver: RegistryResolver;
  readonly store: VerdictStore;
  /** True when the store was made for this worker (it is closed on shutdown). */
  readonly ownsStore: boolean;
  /** The `queue`-role connection BullMQ's Worker shares; quit on shutdown. */
  readonly connection: RedisConnection;
  readonly metrics: AnalysisMetrics;
}

/** The worker's application context: no HTTP, just the analysis processor and what it needs. */
@Module({})
export class WorkerModule {
  static register(options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: options.config },
        { provide: WORKER_LOGGER, useValue: options.logger },
        { provide: VERDICT_STORE, useValue: options.store },
        { provide: OWNS_STORE, useValue: options.ownsStore },
        { provide: QUEUE_CONNECTION, useValue: options.connection },
        { provide: WORKER_METRICS, useValue: options.metrics },
        {
          provide: AnalysisService,
          useFactory: (): AnalysisService => new AnalysisService(options.store, options.resolver, options.analyzer),
        },
        ScanProcessor,
        WorkerLifecycle,
      ],
    };
  }
}
