import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BenchProcesses } from './bench-processes';
import { freePort } from '../harness/local-host';
import { CPU, waitUntil } from './bench-processes';
import { postJson } from './bench-https';

/** Built by test/peers/build-opa.sh (keep the two versions in step). */
export const OPA_VERSION = 'v1.22.2';
export const OPA_BINARY = join(homedir(), '.cache', 'scangate', `opa-${OPA_VERSION}`, 'opa');
export const OPA_POLICY = join(__dirname, '..', '..', 'bench', 'opa', 'image-gate.rego');

export class MissingPeerError extends Error {
  constructor(readonly commands: readonly string[]) {
    super(`missing benchmark peers; install them with:\n${commands.map((c) => `  ${c}`).join('\n')}`);
  }
}

function onPath(command: string, versionArg: string): boolean {
  return spawnSync(command, [versionArg], { stdio: 'ignore' }).error === undefined;
}

/** wrk, redis-server and the OPA build, or the exact commands that install them. */
export function requirePeers(): void {
  const apt: string[] = [];
  if (!onPath('wrk', '-v')) apt.push('wrk');
  if (!onPath('redis-server', '--version') || !onPath('redis-cli', '--version')) apt.push('redis-server'); // redis-cli comes with it
  const commands = apt.length > 0 ? [`apt-get install -y ${apt.join(' ')}`] : [];
  if (!existsSync(OPA_BINARY)) commands.push('bash test/peers/build-opa.sh');
  if (commands.length > 0) throw new MissingPeerError(commands);
}

export interface RunningOpa {
  readonly url: string;
  readonly version: string;
  readonly pid: number | undefined;
}

/**
 * (d): OPA serving image-gate.rego over TLS with the webhook's certificate, the way an OPA image
 * gate is deployed: `POST /` evaluates the default decision `data.system.main`. Pinned like every
 * server under test to one core, so Go sizes GOMAXPROCS from that affinity: 1, as Node has one
 * event loop. Logging at error (OPA logs no request at its default level either; decision logs off).
 */
export async function startOpa(
  processes: BenchProcesses,
  tls: { certFile: string; keyFile: string },
): Promise<RunningOpa> {
  const port = await freePort();
  const version =
    /^Version: (.*)$/m.exec(spawnSync(OPA_BINARY, ['version'], { encoding: 'utf8' }).stdout)?.[1] ?? OPA_VERSION;
  const child = processes.spawn(
    OPA_BINARY,
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--tls-cert-file',
      tls.certFile,
      '--tls-private-key-file',
      tls.keyFile,
      '--set=default_decision=/system/main',
      '--log-level',
      'error',
      '--skip-version-check',
      OPA_POLICY,
    ],
    { cpu: CPU.server },
  );
  const url = `https://127.0.0.1:${port}`;
  await waitUntil('OPA', async () => (await postJson(`${url}/`, '{}')).status === 200);
  return { url, version, pid: child.pid };
}
