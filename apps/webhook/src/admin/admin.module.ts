import type { DynamicModule } from '@nestjs/common';
import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import type { AnalyzerConfig } from '@scangate/config';
import type { AnalysisQueue } from '@scangate/queue';
import { ANALYSIS_QUEUE } from '@scangate/queue';
import type { VerdictStore } from '@scangate/verdicts';
import { VERDICT_STORE } from '@scangate/verdicts';
import { Registry } from 'prom-client';
import type { AnalyzerIdentity } from '../analysis/cached-analysis';
import { ADMIN_TOKEN, ANALYZER_IDENTITY } from '../tokens';
import { AdminController } from './admin.controller';
import { BearerTokenGuard } from './bearer-token.guard';
import { ClairNotifications } from './clair-notifications.service';
import { ClairNotifierContentType } from './clair-notifier.content-type';
import { ClairNotifierController } from './clair-notifier.controller';
import { ClairNotifierGuard } from './clair-notifier.guard';
import { MetricsController } from './metrics.controller';

export interface AdminModuleOptions {
  readonly token: string;
  readonly store: VerdictStore;
  readonly registry: Registry;
  readonly queue?: AnalysisQueue;
  readonly identity?: AnalyzerIdentity;
  /** With `type: clair`, the Clair notifier receiver is served (POST /admin/v1/notifications/clair). */
  readonly analyzer?: AnalyzerConfig;
}

/** The admin listener's module: the same store, queue and metrics as the admission listener. */
@Module({})
export class AdminModule {
  static forRoot(options: AdminModuleOptions): DynamicModule {
    const clair = options.analyzer?.type === 'clair' ? options.analyzer.clair : undefined;
    const notifications =
      clair && options.analyzer
        ? new ClairNotifications(clair, options.analyzer, options.store, options.queue, options.identity)
        : undefined;
    return {
      module: AdminModule,
      controllers: [AdminController, MetricsController, ...(notifications ? [ClairNotifierController] : [])],
      providers: [
        ...(notifications
          ? [{ provide: ClairNotifications, useValue: notifications }, ClairNotifierGuard, ClairNotifierContentType]
          : []),
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
