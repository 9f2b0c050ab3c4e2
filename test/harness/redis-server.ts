import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, onPath } from './local-host';

// Real redis-server processes for integration tests (REAL-PEERS.md, "From Debian"): each on a free
// loopback port, in a temp dir, no persistence, `noeviction` as the queue's Redis must run.
// Every process is SIGKILLed when the test process exits, even if afterAll never ran.

export const REDIS_MISSING_MESSAGE =
  'redis-server and redis-cli are needed for these tests: install them with `apt-get install -y redis-server` ' +
  '(Debian package, Redis 7.0; it provides both)';

const HOST = '127.0.0.1';
/** How long a server may take to answer PING (or a cluster to reach cluster_state:ok). */
const START_DEADLINE_MS = 15_000;
const STOP_DEADLINE_MS = 5_000;
const POLL_MS = 25;

export interface RedisServerOptions {
  /** Extra `redis-server` arguments (`['--cluster-enabled', 'yes']`). */
  readonly args?: readonly string[];
  /** A fixed port; default a free one. */
  readonly port?: number;
  /** Run as a Sentinel monitoring this master (quorum 1). */
  readonly sentinelOf?: { readonly name: string; readonly port: number };
}

export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Whether the process runs (false after stop/kill, true again after restart). */
  readonly running: boolean;
  /** SIGTERM and wait for exit (data is gone: no persistence). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing (a hung or partitioned Redis). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Starts again on the same port (after stop or kill), and waits for PING. */
  restart(): Promise<void>;
  /** A plain ioredis client (default options); closed by dispose(). */
  client(): Redis;
  /** Stops the server for good, disconnects every client() and removes the temp dir. */
  dispose(): Promise<void>;
}

/** Throws with the install command when redis-server or redis-cli is missing. */
export function requireRedisBinaries(): void {
  if (!onPath('redis-server') || !onPath('redis-cli')) throw new Error(REDIS_MISSING_MESSAGE);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** A port P with P + 10000 (the cluster bus port) free as well, below the ephemeral range. */
async function freeClusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    if (taken.has(port)) continue;
    if ((await canListen(port)) && (await canListen(port + 10000))) return port;
  }
  throw new Error('no free port pair for a cluster node (P and P+10000) in 20000–39999');
}

function redisCli(port: number, args: readonly string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const cliArgs = ['-h', HOST, '-p', String(port), ...args];
    execFile('redis-cli', cliArgs, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, at most `deadlineMs` (process start-up, not timing). */
async function pollUntil(
  what: string,
  deadlineMs: number,
  check: () => Promise<boolean>,
  failed?: () => string | undefined,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < end) {
    const failure = failed?.();
    if (failure !== undefined) throw new Error(`${what}: ${failure}`);
    try {
      if (await check()) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${what}: not within ${deadlineMs} ms${last ? ` (${last.trim()})` : ''}`);
}

/** QUIT within a second, else drop the socket. */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 1000);
    }),
  ]);
  clearTimeout(timer);
  if ((client.status as string) !== 'end') client.disconnect();
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

class RedisProcess implements TestRedis {
  readonly host = HOST;
  readonly url: string;
  private child: ChildProcess | undefined;
  private output = '';
  private readonly clients = new Set<Redis>();

  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly args: readonly string[],
    private readonly sentinelOf?: { readonly name: string; readonly port: number },
  ) {
    this.url = `redis://${HOST}:${port}`;
  }

  /** Sentinel mode: a config file of its own (Sentinel rewrites it), then `--sentinel`. */
  private leadingArgs(): string[] {
    if (!this.sentinelOf) return [];
    const file = join(this.dir, 'sentinel.conf');
    writeFileSync(file, `sentinel monitor ${this.sentinelOf.name} ${HOST} ${this.sentinelOf.port} 1\n`);
    return [file, '--sentinel'];
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.output = '';
    const child = spawn(
      'redis-server',
      [
        ...this.leadingArgs(),
        '--port',
        String(this.port),
        '--bind',
        HOST,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--dir',
        this.dir,
        '--daemonize',
        'no',
        ...this.args,
      ],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    live.add(child);
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => live.delete(child));
    await pollUntil(
      `redis-server on port ${this.port} answering PING`,
      START_DEADLINE_MS,
      async () => (await redisCli(this.port, ['ping'])).trim() === 'PONG',
      () => (this.running ? undefined : `exited early:\n${this.output}`),
    );
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (signal === 'SIGTERM') child.kill('SIGCONT'); // a paused server cannot handle SIGTERM
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  client(): Redis {
    const client = new Redis(this.port, HOST, { lazyConnect: false });
    client.on('error', () => undefined);
    this.clients.add(client);
    return client;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.clients].map((client) => quit(client)));
    this.clients.clear();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts `redis-server` on a free loopback port in a temp dir and waits until it answers PING.
 * Call `dispose()` in afterAll.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  requireRedisBinaries();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'scangate-redis-'));
  const server = new RedisProcess(port, dir, options.args ?? [], options.sentinelOf);
  try {
    await server.start();
  } catch (error) {
    await server.dispose();
    throw error;
  }
  return server;
}

/**
 * A Sentinel (`redis-server --sentinel`) monitoring `master` under `name`, on a free port, once it
 * answers PING and names the master. Call `dispose()` in afterAll.
 */
export async function startRedisSentinel(master: TestRedis, name = 'mymaster'): Promise<TestRedis> {
  const sentinel = await startRedis({ sentinelOf: { name, port: master.port } });
  await pollUntil(`sentinel on port ${sentinel.port} naming ${name}`, START_DEADLINE_MS, async () =>
    (await redisCli(sentinel.port, ['sentinel', 'get-master-addr-by-name', name])).includes(String(master.port)),
  );
  return sentinel;
}

export interface TestRedisCluster {
  /** The masters, `127.0.0.1:<port>` (the `redis.cluster` config form). */
  readonly addresses: readonly string[];
  readonly nodes: readonly TestRedis[];
  /** Stops every node and removes their temp dirs. */
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` nodes (no replicas) on loopback: `--cluster-enabled yes` nodes,
 * `redis-cli --cluster create`, then waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  requireRedisBinaries();
  const nodes: TestRedis[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.dispose()));
  };
  try {
    const taken = new Set<number>();
    for (let index = 0; index < masters; index += 1) {
      const port = await freeClusterPort(taken);
      taken.add(port);
      nodes.push(
        await startRedis({
          port,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
        }),
      );
    }
    const addresses = nodes.map((node) => `${HOST}:${node.port}`);
    const first = nodes[0];
    if (!first) throw new Error('a cluster needs at least one node');
    const create = ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'];
    await redisCli(first.port, create, 30_000);
    for (const node of nodes) {
      await pollUntil(`cluster node ${node.port} reporting cluster_state:ok`, START_DEADLINE_MS, async () =>
        (await redisCli(node.port, ['cluster', 'info'])).includes('cluster_state:ok'),
      );
    }
    return { addresses, nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
