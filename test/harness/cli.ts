import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `scangate` command (`pnpm test` builds it first with `tsc -b`). */
export function runCli(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): CliResult {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "pnpm build" (pnpm test does it first)`);
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    input: options.input,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like runCli, without blocking this process: for commands that talk to a server running in it. */
export function runCliAsync(
  args: readonly string[],
  options: { env?: Record<string, string> } = {},
): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "pnpm build" (pnpm test does it first)`);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
