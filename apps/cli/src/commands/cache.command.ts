import type { Command } from 'commander';
import { loadConfigOrExit } from '../io/load-config';

interface CacheOptions {
  config?: string;
  image?: string;
  adminUrl?: string;
}

/**
 * `scangate cache ls|flush [--image REF]`: the admin API from a terminal. The token comes from
 * config (`admin.token`, `admin.tokenFile`, `SCANGATE_ADMIN_TOKEN`), never from a flag that
 * would show in `ps`.
 */
export function registerCacheCommand(program: Command): void {
  const cache = program.command('cache').description('list or flush cached verdicts through the admin API');
  const common = (command: Command): Command =>
    command
      .option('-c, --config <file>', 'config file (default: $SCANGATE_CONFIG)')
      .option('--image <ref>', 'a repository (nginx), tag (nginx:1.27) or digest (nginx@sha256:…, sha256:…)')
      .option('--admin-url <url>', 'admin API base URL (default: http://127.0.0.1:<admin.port>)');

  common(cache.command('ls').description('list cached verdicts')).action(async (options: CacheOptions) => {
    const body = await call('GET', options);
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  });
  common(cache.command('flush').description('remove cached verdicts (all, or those of --image)')).action(
    async (options: CacheOptions) => {
      const body = (await call('DELETE', options)) as { flushed: { verdicts: number; tags: number } };
      process.stdout.write(`flushed ${body.flushed.verdicts} verdict(s) and ${body.flushed.tags} tag memo(s)\n`);
    },
  );
}

async function call(method: 'GET' | 'DELETE', options: CacheOptions): Promise<unknown> {
  const loaded = loadConfigOrExit(options.config);
  if (loaded.adminTokenGenerated) {
    throw new Error(
      "no admin token configured: set SCANGATE_ADMIN_TOKEN (or admin.token / admin.tokenFile) to the server's token",
    );
  }
  const base = options.adminUrl ?? `http://127.0.0.1:${loaded.config.admin.port}`;
  const url = new URL('/admin/v1/verdicts', base);
  if (options.image) url.searchParams.set('image', options.image);
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${loaded.config.admin.token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (body as { message?: unknown }).message;
    throw new Error(`admin API ${response.status}: ${typeof message === 'string' ? message : response.statusText}`);
  }
  return body;
}
