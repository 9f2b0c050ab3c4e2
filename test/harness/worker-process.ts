// A `scangate worker` process for integration tests, with the deterministic TestAnalyzer and
// TestResolver in place of a scanner and a registry. Compiled by `tsc -b test` into
// test/dist/harness/worker-process.js and run as:
//
//   node test/dist/harness/worker-process.js CONFIG_FILE CALL_LOG
//
// It prints `ready` on stdout once consuming, appends one JSON line (AnalyzerCall) to CALL_LOG per
// analyzer call, logs to stderr, and on SIGTERM/SIGINT shuts down gracefully (prints `stopped`,
// exits 0). `spawnWorker` starts one from a test.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@scangate/config';
import { createLogger } from '@scangate/logging';
import { startWorker } from '@scangate/worker';
import { TestAnalyzer, TestResolver } from './test-analyzer';

export const WORKER_PROCESS_SCRIPT = join(__dirname, '..', 'dist', 'harness', 'worker-process.js');

export interface SpawnedWorker {
  readonly process: ChildProcess;
  /** Resolves when the worker prints `ready`; rejects if it exits first or takes over 30 s. */
  readonly ready: Promise<void>;
  /** Resolves with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stderr so far (its logs), for failure messages. */
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

/** Starts a worker process; `ready` tells when it consumes. */
export function spawnWorker(
  configFile: string,
  callLog: string,
  options: { metricsPort?: number } = {},
): SpawnedWorker {
  // Run from a test (Jest, via swc) this file is a .ts; the compiled copy is what runs as a process.
  const script = __filename.endsWith('.js') ? __filename : WORKER_PROCESS_SCRIPT;
  if (!existsSync(script))
    throw new Error(`${script} is missing: run "pnpm exec tsc -b test" (pnpm test does it first)`);
  const child = spawn(process.execPath, [script, configFile, callLog], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Several workers share one config file: each gets its own metrics port (0: none).
    env: { PATH: process.env['PATH'] ?? '', SCANGATE_WORKER_METRICSPORT: String(options.metricsPort ?? 0) },
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 30 s:\n${stderr}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.split('\n').includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code ?? signal}) before ready:\n${stderr}`));
    });
  });
  ready.catch(() => undefined);
  return {
    process: child,
    ready,
    exited,
    stderr: () => stderr,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

async function main(configFile: string, callLog: string): Promise<void> {
  const { config } = loadConfig({
    file: configFile,
    env: { SCANGATE_WORKER_METRICSPORT: process.env['SCANGATE_WORKER_METRICSPORT'] ?? '0' },
  });
  const logger = createLogger(config.log.level, process.stderr);
  const analyzer = new TestAnalyzer({ onCall: (call) => appendFileSync(callLog, `${JSON.stringify(call)}\n`) });
  const worker = await startWorker({ config, analyzer, resolver: new TestResolver(), logger });
  process.stdout.write('ready\n');

  const stop = (): void => {
    void worker.close().then(
      () => {
        process.stdout.write('stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  const [configFile, callLog] = process.argv.slice(2);
  if (configFile === undefined || callLog === undefined) {
    process.stderr.write('usage: worker-process.js CONFIG_FILE CALL_LOG\n');
    process.exit(2);
  }
  main(configFile, callLog).catch((error: unknown) => {
    process.stderr.write(
      `worker-process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
