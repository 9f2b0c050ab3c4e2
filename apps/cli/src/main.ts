#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { registerCacheCommand } from './commands/cache.command';
import { registerCertsCommand } from './commands/certs.command';
import { registerImageCommand } from './commands/image.command';
import { registerRefCommand } from './commands/ref.command';
import { registerReviewCommand } from './commands/review.command';
import { registerServeCommand } from './commands/serve.command';
import { registerWebhookCommand } from './commands/webhook.command';
import { registerWorkerCommand } from './commands/worker.command';

const program = new Command()
  .name('scangate')
  .description('Kubernetes admission gate for container images')
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

registerServeCommand(program);
registerWorkerCommand(program);
registerRefCommand(program);
registerReviewCommand(program);
registerCacheCommand(program);
registerImageCommand(program);
registerCertsCommand(program);
registerWebhookCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`scangate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
