import { HttpModule, HttpService } from '@nestjs/axios';
import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { AnalysisMetrics, Analyzer, RegistryResolver } from '@scangate/analysis';
import { AnalysisService } from '@scangate/analysis';
import { createAnalyzer } from '@scangate/analyzers';
import type { AnalyzerConfig } from '@scangate/config';
import type { RedisConnection, VerdictStore } from '@scangate/verdicts';
import { VERDICT_STORE } from '@scangate/verdicts';
import type { Logger } from 'pino';
import type { ScanProcessorConfig } from './scan.processor';
import { ScanProcessor } from './scan.processor';
import { WorkerLifecycle } from './worker.lifecycle';
import { ANALYZER, OWNS_STORE, QUEUE_CONNECTION, WORKER_CONFIG, WORKER_LOGGER, WORKER_METRICS } from './worker.tokens';

export interface WorkerModuleOptions {
  readonly config: ScanProcessorConfig;
  readonly logger: Logger;
  /** The scanner adapter `analyzer.type` names, unless one is given (tests). */
  readonly analyzerConfig: AnalyzerConfig;
  readonly analyzer?: Analyzer;
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
      // Scanner calls are plain HTTP to an operator-configured URL; redirects are not followed
      // (a scanner that redirects is misconfigured, and credentials must not travel elsewhere).
      imports: [HttpModule.register({ maxRedirects: 0 })],
      providers: [
        { provide: WORKER_CONFIG, useValue: options.config },
        { provide: WORKER_LOGGER, useValue: options.logger },
        { provide: VERDICT_STORE, useValue: options.store },
        { provide: OWNS_STORE, useValue: options.ownsStore },
        { provide: QUEUE_CONNECTION, useValue: options.connection },
        { provide: WORKER_METRICS, useValue: options.metrics },
        {
          provide: ANALYZER,
          inject: [HttpService],
          useFactory: (http: HttpService): Analyzer => options.analyzer ?? analyzerFor(options, http),
        },
        {
          provide: AnalysisService,
          inject: [ANALYZER],
          useFactory: (analyzer: Analyzer): AnalysisService =>
            new AnalysisService(options.store, options.resolver, analyzer),
        },
        ScanProcessor,
        WorkerLifecycle,
      ],
    };
  }
}

function analyzerFor(options: WorkerModuleOptions, http: HttpService): Analyzer {
  const analyzer = createAnalyzer(options.analyzerConfig, { http: http.axiosRef, telemetry: options.metrics });
  if (!analyzer) throw new Error('nothing to analyse: analyzer.type is none (local rules only)');
  return analyzer;
}
