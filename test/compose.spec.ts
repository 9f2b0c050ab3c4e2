import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ScangateConfig } from '@scangate/config';
import { parse } from 'yaml';
import { REPO_ROOT } from './harness/cli';
import { onPath } from './harness/local-host';

// docker-compose.yml as Debian's docker-compose 1.29 resolves it (`config` validates without a
// Docker engine), and the scangate and Clair configs it mounts: every peer they name is a service
// of the file, the shared secrets agree, ports do not collide, images are pinned.

const DOCKER_COMPOSE_MISSING_MESSAGE =
  'docker-compose is needed for these tests: install it with `apt-get install -y docker-compose` (Debian, 1.29; validates without a Docker engine)';
const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');
const CLAIR_VERSION = process.env['CLAIR_VERSION'] ?? 'v4.9.0';
const CLAIRCTL = join(homedir(), '.cache', 'scangate', `clair-${CLAIR_VERSION}`, 'clairctl');
const CLAIRCTL_MISSING_MESSAGE = `clairctl ${CLAIR_VERSION} is missing at ${CLAIRCTL}: build it with \`bash test/peers/build-clair.sh\``;
const SCANGATE_CONFIGS = ['scangate.yaml', 'scangate-anchore.yaml'];

interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: readonly string[];
  /** docker-compose 1.29 prints the short forms: `127.0.0.1:8443:8443/tcp`, `/abs/src:/target:ro`. */
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly profiles?: readonly string[];
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly depends_on?: Record<string, { readonly condition: string }>;
}
interface ComposeFile {
  readonly services: Record<string, ComposeService>;
}
interface ClairConfig {
  readonly http_listen_addr: string;
  readonly indexer: { readonly connstring: string };
  readonly matcher: { readonly connstring: string };
  readonly notifier: {
    readonly connstring: string;
    readonly webhook: {
      readonly target: string;
      readonly callback: string;
      readonly headers: Record<string, readonly string[]>;
    };
  };
  readonly auth: { readonly psk: { readonly key: string; readonly iss: readonly string[] } };
}

function run(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        cwd: REPO_ROOT,
        timeout: 60_000,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

function dockerCompose(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('docker-compose', ['-f', COMPOSE_FILE, ...args], env);
}

async function resolvedCompose(args: readonly string[] = [], env: Record<string, string> = {}): Promise<ComposeFile> {
  const result = await dockerCompose([...args, 'config'], env);
  if (result.code !== 0) throw new Error(`docker-compose config failed (${result.code}):\n${result.stderr}`);
  return parse(result.stdout) as ComposeFile;
}

/** A short-form port: host IP (when given), published port, container port. */
function portOf(short: string): { hostIp: string | undefined; published: string; target: string } {
  const parts = short.replace(/\/(tcp|udp)$/, '').split(':');
  if (parts.length === 3) return { hostIp: parts[0], published: parts[1] ?? '', target: parts[2] ?? '' };
  if (parts.length === 2) return { hostIp: undefined, published: parts[0] ?? '', target: parts[1] ?? '' };
  return { hostIp: undefined, published: '', target: parts[0] ?? '' };
}

/** The source of the mount at target, from short-form volumes (`source:target[:mode]`). */
function mountSource(service: ComposeService | undefined, target: string): string | undefined {
  const mount = (service?.volumes ?? []).map((volume) => volume.split(':')).find((parts) => parts[1] === target);
  return mount?.[0];
}

/** host[:port] of a URL or a host:port entry. */
function hostOf(address: string): { host: string; port: number | undefined } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname, port: url.port === '' ? undefined : Number(url.port) };
}

/** The container ports a service listens on, from what the stack knows (published or implied by its image). */
const LISTENS: Record<string, readonly number[]> = {
  redis: [6379],
  registry: [5000],
  postgres: [5432],
  clair: [6060, 8089],
  'anchore-api': [8228],
  'anchore-db': [5432],
};

const loadScangate = (name: string): ScangateConfig =>
  loadConfig({ file: join(REPO_ROOT, 'compose', name), env: {} }).config;
const clairConfig = (): ClairConfig =>
  parse(readFileSync(join(REPO_ROOT, 'compose', 'clair.yaml'), 'utf8')) as ClairConfig;

let everything: ComposeFile;

beforeAll(async () => {
  if (!onPath('docker-compose')) throw new Error(DOCKER_COMPOSE_MISSING_MESSAGE);
  everything = await resolvedCompose(['--profile', 'anchore']);
});

describe('docker-compose config', () => {
  it.each([
    ['the default stack', [], {}],
    ['the anchore profile', ['--profile', 'anchore'], {}],
    [
      'the anchore profile with its scangate config',
      ['--profile', 'anchore'],
      { SCANGATE_COMPOSE_CONFIG: 'scangate-anchore.yaml' },
    ],
  ])('validates %s', async (_name, args, env) => {
    const result = await dockerCompose([...args, 'config', '--quiet'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('starts registry, Redis, Clair with PostgreSQL, the webhook and the worker by default; Anchore only with its profile', () => {
    const byDefault = Object.entries(everything.services)
      .filter(([, service]) => service.profiles === undefined)
      .map(([name]) => name);
    expect(byDefault.sort()).toEqual(['clair', 'postgres', 'redis', 'registry', 'webhook', 'worker']);
    const anchore = Object.entries(everything.services)
      .filter(([, service]) => service.profiles?.includes('anchore'))
      .map(([name]) => name);
    expect(anchore).toEqual(expect.arrayContaining(['anchore-api', 'anchore-db']));
  });

  it('builds the webhook and the worker from the Dockerfile as one image running serve and worker with a mounted config', async () => {
    const { webhook, worker } = everything.services;
    expect(webhook?.build).toBeDefined();
    expect(worker?.image).toBe(webhook?.image);
    expect(webhook?.command).toEqual(['serve', '--config', '/etc/scangate/scangate.yaml']);
    expect(worker?.command).toEqual(['worker', '--config', '/etc/scangate/scangate.yaml']);
    const switched = await resolvedCompose(['--profile', 'anchore'], {
      SCANGATE_COMPOSE_CONFIG: 'scangate-anchore.yaml',
    });
    expect(switched.services['webhook']?.command).toEqual(['serve', '--config', '/etc/scangate/scangate-anchore.yaml']);
    for (const service of [webhook, worker]) {
      const source = mountSource(service, '/etc/scangate');
      expect(source).toBe(join(REPO_ROOT, 'compose'));
      for (const name of SCANGATE_CONFIGS) expect(existsSync(join(source ?? '', name))).toBe(true);
    }
    expect(mountSource(everything.services['clair'], '/config/config.yaml')).toBe(
      join(REPO_ROOT, 'compose', 'clair.yaml'),
    );
  });

  it('publishes host ports only on loopback, none twice', () => {
    const published = Object.entries(everything.services).flatMap(([name, service]) =>
      (service.ports ?? [])
        .map(portOf)
        .map((port) => ({ name, host: `${port.hostIp ?? '0.0.0.0'}:${port.published}`, hostIp: port.hostIp })),
    );
    expect(published.length).toBeGreaterThanOrEqual(6);
    for (const port of published) expect(port.hostIp).toBe('127.0.0.1');
    const hosts = published.map((port) => port.host);
    expect(new Set(hosts).size).toBe(hosts.length);
  });

  it('pins every image (a tag other than latest, or a digest)', () => {
    for (const [name, service] of Object.entries(everything.services)) {
      const image = service.image ?? '';
      expect({ name, image }).toEqual({
        name,
        image: expect.stringMatching(/^[^@]+(:[\w][\w.-]*)(@sha256:[a-f0-9]{64})?$|@sha256:[a-f0-9]{64}$/),
      });
      expect({ name, image }).toEqual({ name, image: expect.not.stringMatching(/:latest(@|$)/) });
    }
  });

  it('gives every long-running service a healthcheck or a healthy dependency', () => {
    for (const name of ['redis', 'registry', 'postgres', 'webhook', 'worker', 'anchore-db']) {
      expect({ name, test: everything.services[name]?.healthcheck?.test?.[0] }).toEqual({ name, test: 'CMD' });
    }
    expect(everything.services['clair']?.depends_on?.['postgres']?.condition).toBe('service_healthy');
    expect(everything.services['webhook']?.depends_on?.['redis']?.condition).toBe('service_healthy');
  });
});

describe('the configs the stack mounts', () => {
  it("compose/clair.yaml is read by Clair v4.9.0's own config decoder (unknown keys are errors there)", async () => {
    if (!existsSync(CLAIRCTL)) throw new Error(CLAIRCTL_MISSING_MESSAGE);
    const result = await run(CLAIRCTL, ['check-config', join(REPO_ROOT, 'compose', 'clair.yaml')]);
    expect(result.code).toBe(0);
    const resolved = JSON.parse(result.stdout) as ClairConfig;
    expect(resolved).toEqual(expect.objectContaining({ http_listen_addr: ':6060', auth: clairConfig().auth }));
    expect(resolved.notifier.webhook).toEqual(expect.objectContaining(clairConfig().notifier.webhook));
  });

  it.each(SCANGATE_CONFIGS)('%s is a valid scangate config whose every peer is a service of the file', (name) => {
    const config = loadScangate(name);
    const peers: string[] = [];
    if (config.redis?.mode === 'standalone') peers.push(config.redis.url);
    if (config.analyzer.type === 'clair') peers.push(config.analyzer.clair?.url ?? '');
    if (config.analyzer.type === 'anchore') peers.push(config.analyzer.anchore?.url ?? '');
    peers.push(...config.registries.privateHosts, ...config.registries.insecure);
    expect(peers.length).toBeGreaterThanOrEqual(4);
    for (const peer of peers) {
      const { host, port } = hostOf(peer);
      expect({ peer, service: everything.services[host] === undefined ? 'missing' : host }).toEqual({
        peer,
        service: host,
      });
      if (port !== undefined)
        expect({ peer, listens: LISTENS[host] }).toEqual({ peer, listens: expect.arrayContaining([port]) });
    }
    // Both profiles reach the compose registry over plain HTTP.
    expect(config.registries.privateHosts).toContain('registry:5000');
    expect(config.registries.insecure).toContain('registry:5000');
  });

  it('Clair and scangate agree on the PSK, the issuer and the notifier header, and the notifier reaches the admin listener', () => {
    const scangate = loadScangate('scangate.yaml');
    const clair = clairConfig();
    const analyzer = scangate.analyzer.clair;
    expect(analyzer?.psk).toBe(clair.auth.psk.key);
    expect(clair.auth.psk.iss).toContain(analyzer?.issuer);
    const header = analyzer?.notifier.header ?? '';
    expect(clair.notifier.webhook.headers[header]).toEqual([analyzer?.notifier.token]);
    const target = new URL(clair.notifier.webhook.target);
    expect(target.hostname).toBe('webhook');
    expect(Number(target.port)).toBe(scangate.admin.port);
    expect(target.pathname).toBe('/admin/v1/notifications/clair');
    expect(new URL(clair.notifier.webhook.callback).hostname).toBe('clair');
    expect(Number(new URL(analyzer?.url ?? '').port)).toBe(Number(clair.http_listen_addr.replace(/^.*:/, '')));
  });

  it("Clair's database is the postgres service with the credentials it is started with", () => {
    const clair = clairConfig();
    const postgres = everything.services['postgres']?.environment ?? {};
    for (const connstring of [clair.indexer.connstring, clair.matcher.connstring, clair.notifier.connstring]) {
      const fields = Object.fromEntries(connstring.split(/\s+/).map((pair) => pair.split('=') as [string, string]));
      expect(fields).toMatchObject({
        host: 'postgres',
        port: '5432',
        user: postgres['POSTGRES_USER'],
        password: postgres['POSTGRES_PASSWORD'],
        dbname: postgres['POSTGRES_DB'],
      });
    }
  });

  it("the anchore config logs in as Anchore's admin, and the engine reaches its database", () => {
    const anchore = loadScangate('scangate-anchore.yaml').analyzer.anchore;
    const api = everything.services['anchore-api']?.environment ?? {};
    expect(anchore?.username).toBe('admin');
    expect(anchore?.password).toBe(api['ANCHORE_ADMIN_PASSWORD']);
    const db = everything.services['anchore-db']?.environment ?? {};
    expect(everything.services[api['ANCHORE_DB_HOST'] ?? '']).toBeDefined();
    expect(api['ANCHORE_DB_PASSWORD']).toBe(db['POSTGRES_PASSWORD']);
    expect(api['ANCHORE_DB_USER']).toBe(db['POSTGRES_USER']);
  });
});
