import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { ScangateConfig } from '@scangate/config';
import type { ImageAnalysisPort } from '@scangate/policy';
import { AdmissionReviewer, IMAGE_ANALYSIS } from '@scangate/policy';
import type { Logger } from 'pino';
import { AdmissionController } from './admission/admission.controller';
import { HealthController } from './health/health.controller';
import type { ReadinessCheck } from './health/readiness';
import { AdmissionRecorder } from './admission/admission-recorder';
import { DecisionLogger } from './logging/decision.logger';
import type { AdmissionMetrics } from './metrics/admission.metrics';
import { LOGGER, READINESS_CHECKS, SCANGATE_CONFIG } from './tokens';

export interface WebhookModuleOptions {
  readonly config: ScangateConfig;
  readonly analysis: ImageAnalysisPort;
  readonly logger: Logger;
  readonly metrics: AdmissionMetrics;
  readonly readinessChecks?: readonly ReadinessCheck[];
}

@Module({})
export class WebhookModule {
  static forRoot(options: WebhookModuleOptions): DynamicModule {
    return {
      module: WebhookModule,
      controllers: [AdmissionController, HealthController],
      providers: [
        { provide: SCANGATE_CONFIG, useValue: options.config },
        { provide: LOGGER, useValue: options.logger },
        { provide: IMAGE_ANALYSIS, useValue: options.analysis },
        { provide: READINESS_CHECKS, useValue: options.readinessChecks ?? [] },
        {
          provide: AdmissionReviewer,
          inject: [SCANGATE_CONFIG, IMAGE_ANALYSIS],
          useFactory: (config: ScangateConfig, analysis: ImageAnalysisPort) =>
            new AdmissionReviewer({ admission: config.admission, policy: config.policy }, analysis),
        },
        {
          provide: AdmissionRecorder,
          inject: [LOGGER],
          useFactory: (logger: Logger) => new AdmissionRecorder(new DecisionLogger(logger), options.metrics),
        },
      ],
    };
  }
}
