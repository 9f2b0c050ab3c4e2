import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './local-host';

// A throwaway PostgreSQL 15 for Clair (REAL-PEERS.md): initdb into a temp dir owned by the
// `postgres` user (initdb and postgres refuse to run as root), a unix socket in that dir and a
// free loopback TCP port. The server is SIGKILLed when the test process exits.

export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
export const POSTGRES_MISSING_MESSAGE =
  `PostgreSQL 15 is needed for the Clair tests (${POSTGRES_BIN}/initdb not found): install it with ` +
  '`apt-get install -y postgresql-15` (it brings the postgres user and uuid-ossp)';

const HOST = '127.0.0.1';
const USER = 'clair';
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface TestPostgres {
  readonly port: number;
  readonly database: string;
  /** A libpq key/value connection string for Clair's `connstring`. */
  readonly connstring: string;
  dispose(): Promise<void>;
}

export function requirePostgres(): void {
  try {
    accessSync(join(POSTGRES_BIN, 'initdb'), constants.X_OK);
  } catch {
    throw new Error(POSTGRES_MISSING_MESSAGE);
  }
}

function asPostgres(command: string, args: readonly string[]): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: 60_000, cwd: '/' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Starts a server with one trusted superuser `clair` and one database `database`. */
export async function startPostgres(database = 'clair'): Promise<TestPostgres> {
  requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'scangate-pg-'));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  await asPostgres(join(POSTGRES_BIN, 'initdb'), [
    '-D',
    data,
    '-U',
    USER,
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const postgres = join(POSTGRES_BIN, 'postgres');
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    `listen_addresses=${HOST}`,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ];
  const child = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', postgres, ...args], { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/' })
    : spawn(postgres, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/' });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await asPostgres(join(POSTGRES_BIN, 'pg_isready'), ['-h', HOST, '-p', String(port), '-U', USER]).then(
      () => true,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`postgres did not start on ${HOST}:${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await asPostgres(join(POSTGRES_BIN, 'createdb'), ['-h', HOST, '-p', String(port), '-U', USER, database]);
  return {
    port,
    database,
    connstring: `host=${HOST} port=${port} user=${USER} dbname=${database} sslmode=disable`,
    async dispose() {
      // Immediate: nothing to keep, and a smart shutdown would wait for Clair's idle pools.
      await asPostgres(join(POSTGRES_BIN, 'pg_ctl'), ['-D', data, 'stop', '-m', 'immediate']).catch(() =>
        child.kill('SIGKILL'),
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const out = await new Promise<string>((resolve, reject) =>
    execFile('id', ['postgres'], (error, stdout) =>
      error ? reject(new Error(POSTGRES_MISSING_MESSAGE)) : resolve(stdout),
    ),
  );
  const uid = /uid=(\d+)/.exec(out)?.[1];
  const gid = /gid=(\d+)/.exec(out)?.[1];
  if (uid === undefined || gid === undefined) throw new Error(`cannot read the postgres user's ids from: ${out}`);
  return { uid: Number(uid), gid: Number(gid) };
}
