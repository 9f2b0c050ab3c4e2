import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { ScangateConfig } from '@scangate/config';
import type { ImageAnalysisPort } from '@scangate/policy';
import type { Logger } from 'pino';
import { createAnalysis } from './analysis/analysis.factory';
import type { ReadinessCheck } from './health/readiness';
import { HttpExceptionFilter } from './http/http-exception.filter';
import { installJsonBodyParser } from './http/json-body.parser';
import { PinoNestLogger } from './logging/logger';
import { ensureEmbeddedTls } from './tls/embedded-tls';
import { httpsOptions } from './tls/https-options';
import type { TlsFiles } from './tls/https-options';
import { WebhookModule } from './webhook.module';

export interface WebhookServerOptions {
  readonly config: ScangateConfig;
  readonly logger: Logger;
  /** Where embedded mode keeps its generated certificate. */
  readonly dataDir: string;
  readonly analysis?: ImageAnalysisPort;
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** Overrides `server.port` (tests pass 0 for a free port). */
  readonly port?: number;
  readonly host?: string;
}

export interface RunningWebhook {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly port: number;
  readonly tls: TlsFiles & { readonly caFile?: string };
  close(): Promise<void>;
}

/** Bootstrap: TLS, Fastify adapter with the body limit, the error contract, listen. */
export async function startWebhook(options: WebhookServerOptions): Promise<RunningWebhook> {
  const { config, logger } = options;
  const tls = await resolveTls(options);
  const analysis = options.analysis ?? createAnalysis(config);
  const adapter = new FastifyAdapter({
    https: httpsOptions(tls),
    bodyLimit: config.server.bodyLimitBytes,
    logger: false,
    // The API server keeps connections open between reviews; outlive its idle period.
    keepAliveTimeout: 65_000,
    requestTimeout: 30_000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    WebhookModule.forRoot({ config, analysis, logger, readinessChecks: options.readinessChecks ?? [] }),
    adapter,
    // Nest's own parsers would add urlencoded bodies; the API server only ever sends JSON.
    { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
  );
  // JSON only: any other content type is a 415.
  installJsonBodyParser(app.getHttpAdapter().getInstance(), config.server.bodyLimitBytes);
  app.useGlobalFilters(new HttpExceptionFilter(logger, config.server.bodyLimitBytes));
  app.enableShutdownHooks();

  const host = options.host ?? config.server.host;
  await app.listen(options.port ?? config.server.port, host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
  const url = `https://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`;
  return { app, url, port, tls, close: () => app.close() };
}

async function resolveTls(options: WebhookServerOptions): Promise<TlsFiles & { caFile?: string }> {
  const { tls } = options.config.server;
  const clientCA = tls.clientCAFile ? { clientCAFile: tls.clientCAFile } : {};
  if (tls.certFile && tls.keyFile) return { certFile: tls.certFile, keyFile: tls.keyFile, ...clientCA };
  if (!options.config.embedded) {
    throw new Error('server.tls.certFile and server.tls.keyFile are required when a config file is used');
  }
  const generated = await ensureEmbeddedTls(options.dataDir);
  if (generated.created) options.logger.info({ caFile: generated.caFile }, 'generated a self-signed CA and localhost certificate');
  return { certFile: generated.certFile, keyFile: generated.keyFile, caFile: generated.caFile, ...clientCA };
}
