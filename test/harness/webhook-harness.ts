import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Analyzer, RegistryResolver } from '@scangate/analysis';
import type { LoadedConfig } from '@scangate/config';
import { loadConfig } from '@scangate/config';
import type { RunningWebhook } from '@scangate/webhook';
import { createLogger } from '@scangate/logging';
import { ensureEmbeddedTls, startWebhook } from '@scangate/webhook';
import { stringify } from 'yaml';
import { HttpsClient } from './https-client';

export interface TestWebhook {
  readonly webhook: RunningWebhook;
  readonly client: HttpsClient;
  readonly loaded: LoadedConfig;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** A temporary directory for one test file. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `scangate-${prefix}-`));
}

/**
 * Loads config the way `scangate serve` does: embedded when `config` is undefined, else from a
 * YAML file written to a temp dir.
 */
export function loadTestConfig(
  config?: Record<string, unknown>,
  env: Record<string, string> = {},
): LoadedConfig & { file?: string } {
  if (config === undefined) return loadConfig({ env });
  const file = join(tempDir('config'), 'scangate.yaml');
  writeFileSync(file, stringify(config));
  return { ...loadConfig({ file, env }), file };
}

/**
 * Config from a file, as in production, with a serving certificate from a throwaway CA
 * (`server.tls` is required whenever a config file is used). Returns the CA for clients.
 */
export async function loadServingConfig(
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<{ loaded: LoadedConfig & { file?: string }; tlsCA: string }> {
  const tls = await ensureEmbeddedTls(tempDir('tls'));
  const server = {
    ...(config['server'] as Record<string, unknown> | undefined),
    tls: { certFile: tls.certFile, keyFile: tls.keyFile },
  };
  return { loaded: loadTestConfig({ ...config, server }, env), tlsCA: readFileSync(tls.caFile, 'utf8') };
}

/** Starts the real HTTPS webhook on a free loopback port. */
export async function startTestWebhook(
  options: {
    loaded?: LoadedConfig;
    dataDir?: string;
    tlsCA?: string;
    analyzer?: Analyzer;
    resolver?: RegistryResolver;
  } = {},
): Promise<TestWebhook> {
  const loaded = options.loaded ?? loadTestConfig();
  const dataDir = options.dataDir ?? tempDir('data');
  const webhook = await startWebhook({
    config: loaded.config,
    logger: createLogger('silent'),
    dataDir,
    port: 0,
    adminPort: 0,
    host: '127.0.0.1',
    ...(options.analyzer ? { analyzer: options.analyzer } : {}),
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  const ca = options.tlsCA ?? readFileSync(webhook.tls.caFile ?? '', 'utf8');
  const client = new HttpsClient(`https://127.0.0.1:${webhook.port}`, { ca });
  return {
    webhook,
    client,
    loaded,
    dataDir,
    stop: async () => {
      client.close();
      await webhook.close();
    },
  };
}
