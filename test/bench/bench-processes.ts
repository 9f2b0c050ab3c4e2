import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { freePort } from '../harness/local-host';

/**
 * Every process the benchmark starts (servers under test, redis-server, OPA, wrk) goes through
 * one registry, so all of them are stopped at the end, on failure, on Ctrl-C, and — with SIGKILL —
 * even when the benchmark itself exits abruptly.
 */
export class BenchProcesses {
  private readonly children = new Set<ChildProcess>();
  /** Stoppers of processes another harness started (redis-server from test/harness). */
  private readonly adopted = new Set<() => Promise<void>>();
  private readonly killOnExit = (): void => {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  private readonly interrupted = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\nbench: ${signal}, stopping every child process\n`);
    void this.stopAll().finally(() => process.exit(130));
  };

  constructor() {
    process.on('exit', this.killOnExit);
    process.once('SIGINT', this.interrupted);
    process.once('SIGTERM', this.interrupted);
  }

  /** Spawns `command` pinned to `cpu` (when the machine has more than one core and taskset exists). */
  spawn(command: string, args: readonly string[], options: SpawnOptions & { cpu?: number } = {}): ChildProcess {
    const { cpu, ...spawnOptions } = options;
    const pinned =
      cpu !== undefined && canPin()
        ? (['taskset', ['-c', String(cpu), command, ...args]] as const)
        : ([command, args] as const);
    const child = spawn(pinned[0], pinned[1], { stdio: ['ignore', 'ignore', 'pipe'], ...spawnOptions });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(child: ChildProcess, graceMs = 3000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Has `stopAll()` call `stop` too; returns a function that calls it once and forgets it. */
  adopt(stop: () => Promise<void>): () => Promise<void> {
    const once = async (): Promise<void> => {
      if (this.adopted.delete(once)) await stop();
    };
    this.adopted.add(once);
    return once;
  }

  async stopAll(): Promise<void> {
    await Promise.all([
      ...[...this.children].map((child) => this.stop(child)),
      ...[...this.adopted].map((stop) => stop()),
    ]);
  }

  dispose(): void {
    process.off('exit', this.killOnExit);
    process.off('SIGINT', this.interrupted);
    process.off('SIGTERM', this.interrupted);
  }
}

let pinnable: boolean | undefined;
/** Pinning needs two cores (load generator on one, server under test on the other) and taskset. */
export function canPin(): boolean {
  pinnable ??= cpus().length >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
  return pinnable;
}

/** CPU placement: the load generator (and Redis, a separate service in production) on one core, the server under test alone on another. */
export const CPU = { loadGenerator: 0, server: 1 } as const;

/** Resolves with the first stderr line `BENCH_READY {json}` of a child, or rejects with its stderr when it exits or the deadline passes. */
export function readyLine<T>(child: ChildProcess, what: string, timeoutMs = 20_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n${stderr.slice(-4000)}`));
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /^BENCH_READY (.*)$/m.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume(); // keep draining so the child never blocks on a full pipe
        resolve(JSON.parse(match[1]) as T);
      }
    });
    child.once('exit', (code, signal) =>
      fail(new Error(`${what} exited (${signal ?? `code ${code}`}) before it was ready`)),
    );
  });
}

/** Polls `probe` until it resolves true, or throws at the deadline. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** CPU time counters, in clock ticks (USER_HZ): the machine's busy time (user+nice+system, all cores) and some processes' own (utime+stime, all threads). */
export interface CpuSample {
  readonly at: number;
  readonly machine: number;
  readonly server: number;
  /** Processes that belong to the system under test but are not the server (its Redis). */
  readonly companions: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

export function sampleCpu(server: number | undefined, companions: readonly number[] = []): CpuSample | undefined {
  try {
    if (server === undefined) return undefined;
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('cpu '));
    const [user = 0, nice = 0, system = 0] = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
    return {
      at: performance.now(),
      machine: user + nice + system,
      server: processTicks(server),
      companions: companions.reduce((sum, pid) => sum + processTicks(pid), 0),
    };
  } catch {
    return undefined;
  }
}

export interface CpuShares {
  /** The server's CPU, as a share of one core. */
  readonly server: number;
  /** Everything else that ran on the machine meanwhile (other sessions, the OS), as a share of one core. */
  readonly others: number;
}

/** `loadGeneratorSeconds`: wrk's own CPU time over the same window (it is not "other"). */
export function cpuShares(
  before: CpuSample | undefined,
  after: CpuSample | undefined,
  loadGeneratorSeconds: number,
): CpuShares | undefined {
  if (!before || !after || !canPin()) return undefined;
  const ticks = ((after.at - before.at) / 1000) * TICKS_PER_SECOND;
  const server = (after.server - before.server) / ticks;
  const ours =
    server + (after.companions - before.companions) / ticks + (loadGeneratorSeconds * TICKS_PER_SECOND) / ticks;
  return { server, others: Math.max(0, (after.machine - before.machine) / ticks - ours) };
}
