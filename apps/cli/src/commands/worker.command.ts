import type { Command } from 'commander';
import { createLogger } from '@scangate/logging';
import { RegistryClient } from '@scangate/registry';
import { startWorker } from '@scangate/worker';
import { loadConfigOrExit } from '../io/load-config';

/** Beyond the worker's own bounded shutdown (grace + hand-back + quit), the process exits anyway. */
const EXIT_SLACK_MS = 5000;

/** `scangate worker`: the analysis worker alone, consuming the Redis queue the webhooks fill. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the analysis worker alone (needs redis and an analyzer)')
    .option('-c, --config <file>', 'config file (default: $SCANGATE_CONFIG)')
    .action(async (options: { config?: string }) => {
      const loaded = loadConfigOrExit(options.config);
      const { config } = loaded;
      if (!config.redis) usage('scangate worker needs redis; in embedded mode scangate serve analyses in-process');
      if (config.analyzer.type === 'none') usage('nothing to analyse: analyzer.type is none (local rules only)');
      const logger = createLogger(config.log.level);
      for (const warning of loaded.warnings) logger.warn({ source: loaded.source }, warning);

      // Tags resolve through the registry client, behind the egress guard (policy.allowedRegistries,
      // no private addresses unless registries.allowPrivateNetworks / privateHosts).
      const worker = await startWorker({ config, resolver: RegistryClient.fromConfig(config), logger });
      process.stderr.write(
        `scangate worker consuming analysis jobs (analyzer ${config.analyzer.type}, concurrency ${config.worker.concurrency})` +
          `${worker.metricsPort ? `, metrics on :${worker.metricsPort}/metrics` : ''}\n`,
      );

      const stop = (signal: string): void => {
        logger.info({ signal }, 'shutting down');
        const timer = setTimeout(() => process.exit(1), config.worker.shutdownGraceMs + EXIT_SLACK_MS);
        timer.unref();
        void worker.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}

function usage(message: string): never {
  process.stderr.write(`scangate: ${message}\n`);
  process.exit(2);
}
