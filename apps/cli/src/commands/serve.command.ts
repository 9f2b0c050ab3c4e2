import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '@scangate/logging';
import { startWebhook } from '@scangate/webhook';
import { loadConfigOrExit } from '../io/load-config';

const SHUTDOWN_GRACE_MS = 10_000;

/** `scangate serve`: the webhook (and, in embedded mode, in-process analysis) in one process. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the admission webhook (embedded mode without --config: no Redis, analyzer none)')
    .option('-c, --config <file>', 'config file (default: $SCANGATE_CONFIG; none: embedded mode)')
    .action(async (options: { config?: string }) => {
      const loaded = loadConfigOrExit(options.config);
      const { config } = loaded;
      const logger = createLogger(config.log.level);
      for (const warning of loaded.warnings) logger.warn({ source: loaded.source }, warning);
      const webhook = await startWebhook({ config, logger, dataDir: resolve(config.dataDir) });

      const mode = config.embedded ? 'embedded mode: in-memory, analyzer none' : `analyzer ${config.analyzer.type}`;
      process.stderr.write(`scangate serving admission reviews on ${webhook.url} (${mode})\n`);
      if (webhook.tls.caFile) process.stderr.write(`  CA certificate for clients: ${webhook.tls.caFile}\n`);
      process.stderr.write(`  admin API and metrics: ${webhook.adminUrl}\n`);
      if (loaded.adminTokenGenerated) {
        // Printed once: it is generated per start and never logged.
        process.stderr.write(`  admin token: ${config.admin.token}\n`);
      }

      const stop = (signal: string): void => {
        logger.info({ signal }, 'shutting down');
        const timer = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
        timer.unref();
        void webhook.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
