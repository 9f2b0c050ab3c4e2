import type { DynamicModule } from '@nestjs/common';
import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import type { AnalysisQueue } from '@scangate/queue';
import { ANALYSIS_QUEUE } from '@scangate/queue';
import type { VerdictStore } from '@scangate/verdicts';
import { VERDICT_STORE } from '@scangate/verdicts';
import { Registry } from 'prom-client';
import type { AnalyzerIdentity } from '../analysis/cached-analysis';
import { ADMIN_TOKEN, ANALYZER_IDENTITY } from '../tokens';
import { AdminController } from './admin.controller';
import { BearerTokenGuard } from './bearer-token.guard';
import { MetricsController } from './metrics.controller';

export interface AdminModuleOptions {
  readonly token: string;
  readonly store: VerdictStore;
  readonly registry: Registry;
  readonly queue?: AnalysisQueue;
  readonly identity?: AnalyzerIdentity;
}

/** The admin listener's module: the same store, queue and metrics as the admission listener. */
@Module({})
export class AdminModule {
  static forRoot(options: AdminModuleOptions): DynamicModule {
    return {
      module: AdminModule,
      controllers: [AdminController, MetricsController],
      providers: [
        { provide: ADMIN_TOKEN, useValue: options.token },
        BearerTokenGuard,
        { provide: VERDICT_STORE, useValue: options.store },
        { provide: Registry, useValue: options.registry },
        ...(options.queue ? [{ provide: ANALYSIS_QUEUE, useValue: options.queue }] : []),
        ...(options.identity ? [{ provide: ANALYZER_IDENTITY, useValue: options.identity }] : []),
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
        },
      ],
    };
  }
}
