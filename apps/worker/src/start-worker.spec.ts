import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Analyzer, RegistryResolver } from '@scangate/analysis';
import { loadConfig } from '@scangate/config';
import pino from 'pino';
import { startWorker, WorkerStartError } from './start-worker';

// Consuming jobs needs Redis: see test/analysis-worker.spec.ts and test/worker-process.spec.ts.

// Neither test gets as far as resolving an image.
const resolver: RegistryResolver = { resolve: () => Promise.reject(new Error('not expected to resolve')) };

const analyzer: Analyzer = {
  name: 'test',
  fingerprint: 'fp',
  analyze: async () => ({ kind: 'verdict', allowed: true }),
};

describe('startWorker', () => {
  it('refuses to start without redis (embedded mode analyses in-process)', async () => {
    const { config } = loadConfig({ env: {} });
    const started = startWorker({ config, analyzer, resolver, logger: pino({ level: 'silent' }) });
    await expect(started).rejects.toEqual(
      new WorkerStartError('scangate worker needs redis; in embedded mode scangate serve analyses in-process'),
    );
  });

  it('gives up, closing what it opened, when Redis is not there within the startup bound', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scangate-worker-')), 'scangate.yaml');
    // Port 1 on loopback: nothing listens, connections are refused at once.
    writeFileSync(file, JSON.stringify({ redis: { url: 'redis://127.0.0.1:1' } }));
    const { config } = loadConfig({ file, env: {} });
    const started = Date.now();
    const worker = startWorker({
      config,
      analyzer,
      resolver,
      logger: pino({ level: 'silent' }),
      startupTimeoutMs: 300,
    });
    await expect(worker).rejects.toThrow('Redis was not ready within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
