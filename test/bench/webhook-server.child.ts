import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import type { Analyzer, AnalyzerResult, RegistryResolver, ResolvedImage } from '@scangate/analysis';
import { loadConfig } from '@scangate/config';
import type { ImageRef } from '@scangate/image-ref';
import { createLogger } from '@scangate/webhook';
import { startWebhook } from '@scangate/webhook';
import { digestFor } from './reviews';

// scangate for the benchmark, in a process of its own: the same startWebhook() as
// `scangate serve`, with config from SCANGATE_* variables (passed in the spec, not inherited)
// and, for the cached scenario (c), an analyzer identity and a registry resolver of the bench's
// own, so the verdicts the bench writes into Redis are the ones the admission path looks up.
//   node webhook-server.child.js '<WebhookChildSpec JSON>'  → stderr "BENCH_READY {"port":N,"adminPort":M}"
// Logs go to stdout (the parent discards them) at the configured level, as in production.

export interface WebhookChildSpec {
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly analyzer?: { readonly name: string; readonly fingerprint: string };
  /**
   * Profile a window of the run (see profileOnMessage): V8's sampling CPU profiler (the one
   * `node --cpu-prof` uses), then its sampling heap profiler, each started and stopped by an IPC
   * message so start-up and module loading stay out. (Not signals: Nest's enableShutdownHooks()
   * closes the app on SIGUSR2 and most others.)
   */
  readonly profileFile?: string;
}

/** Never consulted while the cache is warm; the bench checks that by the cache-miss counter. */
class BenchAnalyzer implements Analyzer {
  constructor(
    readonly name: string,
    readonly fingerprint: string,
  ) {}

  analyze(): Promise<AnalyzerResult> {
    return Promise.resolve({ kind: 'verdict', allowed: true });
  }
}

/** Tags resolve to the digests the bench pre-populated. */
class BenchResolver implements RegistryResolver {
  resolve(ref: ImageRef): Promise<ResolvedImage> {
    return Promise.resolve({ ref, digest: ref.digest ?? digestFor(ref.canonical) });
  }
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

/** Written atomically: the parent waits for the file to appear. */
function writeProfile(file: string, profile: object): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(profile));
  renameSync(`${file}.tmp`, file);
}

/**
 * IPC messages from the bench: 'profile-start' / 'profile-stop' (CPU, written to `file`) and
 * 'alloc-start' / 'alloc-stop' (V8's sampling heap profiler counting every allocation, also what
 * minor and major GCs collected, written to `file` + '.heap'): run them one after the other, so
 * neither profiler's overhead shows in the other.
 */
async function profileOnMessage(file: string): Promise<void> {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 250 }); // µs
  await post(session, 'HeapProfiler.enable');
  process.on('message', (message: unknown) => {
    if (message === 'profile-start') void post(session, 'Profiler.start');
    if (message === 'profile-stop')
      void post<{ profile: object }>(session, 'Profiler.stop').then(({ profile }) => writeProfile(file, profile));
    if (message === 'alloc-start') {
      void post(session, 'HeapProfiler.startSampling', {
        samplingInterval: 4096, // bytes
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
    if (message === 'alloc-stop') {
      void post<{ profile: object }>(session, 'HeapProfiler.stopSampling').then(({ profile }) =>
        writeProfile(`${file}.heap`, profile),
      );
    }
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as WebhookChildSpec;
  if (spec.profileFile !== undefined) await profileOnMessage(spec.profileFile);
  const { config } = loadConfig({ env: spec.env });
  const webhook = await startWebhook({
    config,
    logger: createLogger(config.log.level),
    dataDir: spec.dataDir,
    port: 0,
    adminPort: 0,
    host: '127.0.0.1',
    ...(spec.analyzer
      ? { analyzer: new BenchAnalyzer(spec.analyzer.name, spec.analyzer.fingerprint), resolver: new BenchResolver() }
      : {}),
  });
  process.stderr.write(`BENCH_READY ${JSON.stringify({ port: webhook.port, adminPort: webhook.adminPort })}\n`);
  process.once('SIGTERM', () => {
    const timer = setTimeout(() => process.exit(1), 5000);
    timer.unref();
    void webhook.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`webhook child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
