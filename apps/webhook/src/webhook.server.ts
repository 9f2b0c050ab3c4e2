import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Analyzer, RegistryResolver } from '@scangate/analysis';
import { AnalysisMetrics } from '@scangate/analysis';
import type { ScangateConfig } from '@scangate/config';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { AdminModule } from './admin/admin.module';
import { createAnalyzer } from './analysis/analysis.factory';
import type { AnalysisRuntime } from './analysis/analysis-runtime';
import { createAnalysisRuntime } from './analysis/analysis-runtime';
import { HttpExceptionFilter } from './http/http-exception.filter';
import { installJsonBodyParser } from './http/json-body.parser';
import { PinoNestLogger } from '@scangate/logging';
import { AdmissionMetrics } from './metrics/admission.metrics';
import { createMetricsRegistry } from './metrics/metrics.registry';
import { watchCertificateFiles } from './tls/certificate-reloader';
import { ensureEmbeddedTls } from './tls/embedded-tls';
import { httpsOptions } from './tls/https-options';
import type { TlsFiles } from './tls/https-options';
import { WebhookModule } from './webhook.module';

export interface WebhookServerOptions {
  readonly config: ScangateConfig;
  readonly logger: Logger;
  /** Where embedded mode keeps its generated certificate. */
  readonly dataDir: string;
  /** The analyzer port; default: the one `analyzer.type` names (none: local rules only). */
  readonly analyzer?: Analyzer;
  /** Tag → digest resolution for in-process analysis (embedded mode). */
  readonly resolver?: RegistryResolver;
  /** Override `server.port` / `admin.port` (tests pass 0 for free ports). */
  readonly port?: number;
  readonly adminPort?: number;
  readonly host?: string;
  /** How often rotated certificate files are looked for (default DEFAULT_TLS_RELOAD_INTERVAL_MS). */
  readonly tlsReloadIntervalMs?: number;
}

export interface RunningWebhook {
  readonly app: NestFastifyApplication;
  readonly admin: NestFastifyApplication;
  readonly url: string;
  readonly port: number;
  readonly adminUrl: string;
  readonly adminPort: number;
  readonly runtime: AnalysisRuntime;
  readonly tls: TlsFiles & { readonly caFile?: string };
  close(): Promise<void>;
}

/** The admin listener's requests are small JSON documents. */
const ADMIN_BODY_LIMIT = 64 * 1024;

/**
 * Bootstrap: TLS, the analysis runtime (store, queue, analyzer), the admission listener (HTTPS)
 * and the admin listener (admin API + metrics), and one close() that stops them in order.
 */
export async function startWebhook(options: WebhookServerOptions): Promise<RunningWebhook> {
  const { config, logger } = options;
  const tls = await resolveTls(options);
  const registry = createMetricsRegistry();
  // In embedded mode the analyses (and the analyzer's circuit breaker) run in this process.
  const analysisMetrics = new AnalysisMetrics(registry);
  const runtime = createAnalysisRuntime({
    config,
    logger,
    registry,
    analysisMetrics,
    ...optional('analyzer', options.analyzer ?? createAnalyzer(config, analysisMetrics)),
    ...optional('resolver', options.resolver),
  });
  const host = options.host ?? config.server.host;
  const started: NestFastifyApplication[] = [];
  try {
    await runtime.start();
    const app = await NestFactory.create<NestFastifyApplication>(
      WebhookModule.forRoot({
        config,
        analysis: runtime.analysis,
        logger,
        metrics: new AdmissionMetrics(registry),
        readinessChecks: runtime.readiness,
      }),
      new FastifyAdapter({
        https: httpsOptions(tls),
        bodyLimit: config.server.bodyLimitBytes,
        logger: false,
        // The API server keeps connections open between reviews; outlive its idle period.
        keepAliveTimeout: 65_000,
        requestTimeout: 30_000,
      }),
      // Nest's own parsers would add urlencoded bodies; the API server only ever sends JSON.
      { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
    );
    started.push(app);
    configureHttp(app, logger, config.server.bodyLimitBytes);
    await app.listen(options.port ?? config.server.port, host);
    // Fastify typed its server as plain HTTP; with `https` options it is a node:https (TLS) server.
    const httpsServer = app.getHttpServer() as unknown as TlsServer;
    const reloader = watchCertificateFiles(httpsServer, tls, logger, options.tlsReloadIntervalMs);

    const admin = await NestFactory.create<NestFastifyApplication>(
      AdminModule.forRoot({
        token: config.admin.token,
        store: runtime.store,
        registry,
        ...optional('queue', runtime.queue),
        ...optional('identity', runtime.identity),
        analyzer: config.analyzer,
      }),
      new FastifyAdapter({ bodyLimit: ADMIN_BODY_LIMIT, logger: false }),
      { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
    );
    started.push(admin);
    configureHttp(admin, logger, ADMIN_BODY_LIMIT);
    await admin.listen(options.adminPort ?? config.admin.port, host);

    const port = portOf(app, config.server.port);
    const adminPort = portOf(admin, config.admin.port);
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    return {
      app,
      admin,
      url: `https://${shown}:${port}`,
      port,
      adminUrl: `http://${shown}:${adminPort}`,
      adminPort,
      runtime,
      tls,
      close: async () => {
        reloader.stop();
        await app.close();
        await admin.close();
        await runtime.close();
      },
    };
  } catch (error) {
    for (const app of started) await app.close();
    await runtime.close();
    throw error;
  }
}

/** JSON only (anything else is a 415), and one error shape for every failure. */
function configureHttp(app: NestFastifyApplication, logger: Logger, bodyLimit: number): void {
  installJsonBodyParser(app.getHttpAdapter().getInstance(), bodyLimit);
  app.useGlobalFilters(new HttpExceptionFilter(logger, bodyLimit));
  app.enableShutdownHooks();
}

function portOf(app: NestFastifyApplication, fallback: number): number {
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address !== null ? address.port : fallback;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

async function resolveTls(options: WebhookServerOptions): Promise<TlsFiles & { caFile?: string }> {
  const { tls } = options.config.server;
  const clientCA = tls.clientCAFile ? { clientCAFile: tls.clientCAFile } : {};
  if (tls.certFile && tls.keyFile) return { certFile: tls.certFile, keyFile: tls.keyFile, ...clientCA };
  if (!options.config.embedded) {
    throw new Error('server.tls.certFile and server.tls.keyFile are required when a config file is used');
  }
  const generated = await ensureEmbeddedTls(options.dataDir);
  if (generated.created)
    options.logger.info({ caFile: generated.caFile }, 'generated a self-signed CA and localhost certificate');
  return { certFile: generated.certFile, keyFile: generated.keyFile, caFile: generated.caFile, ...clientCA };
}
