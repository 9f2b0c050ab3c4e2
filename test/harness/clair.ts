import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ClairPskToken } from '@scangate/analyzers';
import { freePort } from './local-host';
import type { TestPostgres } from './postgres';

// A real Clair v4.9.0 in combo mode, offline (REAL-PEERS.md "Clair offline, in combo mode"):
// airgapped indexer, no updaters or enrichers, migrations on, PSK auth with an explicit issuer,
// empty RHEL mapping files, notifier polling and delivering every minute: Clair's config package
// (v1.4.3, notifier.go validate) turns any interval under one minute into 6 h / 1 h, and both
// loops are plain tickers, so a notification reaches scangate 1–2 minutes after an import. Vulnerabilities are loaded with
// `clairctl import-updaters`. Built once by test/peers/build-clair.sh into the user cache.
// CLAIR_LOG_LEVEL (debug, info, …) and CLAIR_LOG_FILE (appended to) help when a test fails.

export const CLAIR_VERSION = 'v4.9.0';
export const CLAIR_ISSUER = 'scangate-test';
const HOST = '127.0.0.1';
const START_DEADLINE_MS = 60_000;

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface ClairBinaries {
  readonly clair: string;
  readonly clairctl: string;
}

/** The cached binaries, building them with test/peers/build-clair.sh (needs Go) when missing. */
export function ensureClair(): ClairBinaries {
  const home = process.env['HOME'] ?? homedir();
  const dir = join(home, '.cache', 'scangate', `clair-${CLAIR_VERSION}`);
  const binaries = { clair: join(dir, 'clair'), clairctl: join(dir, 'clairctl') };
  if (existsSync(binaries.clair) && existsSync(binaries.clairctl)) return binaries;
  const script = join(findTestRoot(), 'peers', 'build-clair.sh');
  try {
    // Inherit the output so that the first build's cost shows in CI logs.
    execFileSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CLAIR_VERSION } });
  } catch (error) {
    throw new Error(
      `Clair ${CLAIR_VERSION} is missing and \`bash ${script}\` failed (it needs Go ≥ 1.24.9: apt-get install -y golang-go): ${String(error)}`,
    );
  }
  if (!existsSync(binaries.clair) || !existsSync(binaries.clairctl))
    throw new Error(`build-clair.sh ran but ${dir} lacks clair/clairctl`);
  return binaries;
}

function findTestRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'peers', 'build-clair.sh'))) return dir;
    if (dirname(dir) === dir) throw new Error(`test/peers/build-clair.sh not found above ${__dirname}`);
  }
}

/** One record for `clairctl import-updaters` (claircore's libvuln/jsonblob), Alpine flavoured. */
export interface AlpineVulnerability {
  readonly name: string;
  readonly package: string;
  /** Empty: no fix. */
  readonly fixedIn: string;
  readonly severity: 'Unknown' | 'Negligible' | 'Low' | 'Medium' | 'High' | 'Critical';
  readonly links?: string;
}

/**
 * Exactly the distribution claircore's Alpine scanner records from OS_RELEASE_3_19 (`version`
 * 3.19, no `version_id`): the matcher compares only did/name/pretty_name, but the notifier's
 * affected-manifests lookup (datastore/postgres/affectedmanifest.go) wants every field equal.
 */
export const ALPINE_DISTRIBUTION = {
  did: 'alpine',
  name: 'Alpine Linux',
  version: '3.19',
  pretty_name: 'Alpine Linux v3.19',
};

export interface ClairStartOptions {
  /** Where Clair's notifier POSTs, with these headers (the scangate admin listener). */
  readonly notifierTarget?: string;
  readonly notifierHeaders?: Readonly<Record<string, string>>;
}

/**
 * One Clair process on fixed free ports (so a restart keeps its URL), with its own config and
 * temp dir. `start` may be called again after `stop` (the breaker tests stop Clair).
 */
export class TestClair {
  readonly url: string;
  readonly introspectionUrl: string;
  /** Base64 PSK in Clair's config; scangate signs with it. */
  readonly psk = randomBytes(32).toString('base64');
  readonly issuer = CLAIR_ISSUER;
  private readonly dir = mkdtempSync(join(tmpdir(), 'scangate-clair-'));
  private readonly configFile = join(this.dir, 'config.yaml');
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private output = '';
  private imports = 0;
  private lastStart: ClairStartOptions = {};

  private constructor(
    private readonly binaries: ClairBinaries,
    private readonly postgres: TestPostgres,
    httpPort: number,
    private readonly introspectionPort: number,
  ) {
    this.url = `http://${HOST}:${httpPort}`;
    this.introspectionUrl = `http://${HOST}:${introspectionPort}`;
  }

  /** Allocates ports; nothing runs until `start` (the scangate config needs `url` first). */
  static async allocate(postgres: TestPostgres): Promise<TestClair> {
    const binaries = ensureClair();
    return new TestClair(binaries, postgres, await freePort(), await freePort());
  }

  /** Starts Clair; a restart without options keeps the previous notifier settings. */
  async start(options: ClairStartOptions = this.lastStart): Promise<void> {
    if (this.child) throw new Error('clair is already running');
    this.lastStart = options;
    this.writeConfig(options);
    const child = spawn(this.binaries.clair, ['-conf', this.configFile, '-mode', 'combo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const logFile = process.env['CLAIR_LOG_FILE'];
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
      if (logFile) appendFileSync(logFile, chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + START_DEADLINE_MS;
    // Ready once the API answers an authenticated call (healthz says ok before that).
    for (;;) {
      if (await this.answers()) return;
      if (child.exitCode !== null || Date.now() > deadline) {
        await this.stop();
        throw new Error(`clair did not start on ${this.url}: ${this.output.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    children.delete(child);
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The last lines Clair logged (for failure messages). */
  log(): string {
    return this.output.slice(-4000);
  }

  /**
   * One update operation of the `test` updater holding exactly `vulnerabilities` (the notifier
   * diffs it against the previous one). Clair must have run its migrations (started once).
   */
  async importVulnerabilities(vulnerabilities: readonly AlpineVulnerability[]): Promise<void> {
    const ref = randomUUID();
    this.imports++;
    const lines = vulnerabilities.map((v) =>
      JSON.stringify({
        Updater: 'test',
        Fingerprint: `import-${this.imports}-${ref}`,
        Date: new Date().toISOString(),
        Ref: ref,
        Kind: 'vulnerability',
        Vuln: {
          updater: 'test',
          name: v.name,
          description: `${v.name} (scangate test)`,
          links: v.links ?? `https://nvd.nist.gov/vuln/detail/${v.name}`,
          severity: v.severity,
          normalized_severity: v.severity,
          package: { name: v.package, kind: 'binary' },
          distribution: ALPINE_DISTRIBUTION,
          fixed_in_version: v.fixedIn,
        },
      }),
    );
    const file = join(this.dir, `vulns-${this.imports}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    await new Promise<void>((resolve, reject) => {
      execFile(
        this.binaries.clairctl,
        ['-c', this.configFile, 'import-updaters', file],
        { timeout: 60_000 },
        (error, _out, stderr) =>
          error ? reject(new Error(`clairctl import-updaters failed: ${stderr || error.message}`)) : resolve(),
      );
    });
  }

  /** Clair's own authorization header (for checks the test makes directly). */
  authorization(): string {
    return new ClairPskToken(this.psk, this.issuer).authorization();
  }

  private async answers(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/indexer/api/v1/index_state`, {
        headers: { authorization: this.authorization() },
        signal: AbortSignal.timeout(2000),
      });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  private writeConfig(options: ClairStartOptions): void {
    const mapping = join(this.dir, 'empty-mapping.json');
    writeFileSync(mapping, '{"data":{}}');
    const db = this.postgres.connstring;
    const headers = Object.entries(options.notifierHeaders ?? {})
      .map(([name, value]) => `      ${name}: [${JSON.stringify(value)}]\n`)
      .join('');
    const webhook = options.notifierTarget
      ? `  webhook:\n    target: ${options.notifierTarget}\n    callback: ${this.url}/notifier/api/v1/notification/\n` +
        (headers ? `    headers:\n${headers}` : '')
      : '';
    writeFileSync(
      this.configFile,
      `http_listen_addr: ${HOST}:${new URL(this.url).port}\n` +
        `introspection_addr: ${HOST}:${this.introspectionPort}\n` +
        (process.env['CLAIR_LOG_LEVEL'] ? `log_level: ${process.env['CLAIR_LOG_LEVEL']}\n` : 'log_level: warn\n') +
        'indexer:\n' +
        `  connstring: ${db}\n  migrations: true\n  airgap: true\n` +
        '  scanner:\n' +
        `    repo:\n      rhel-repository-scanner:\n        repo2cpe_mapping_file: ${mapping}\n` +
        `    package:\n      rhel_containerscanner:\n        name2repos_mapping_file: ${mapping}\n` +
        'matcher:\n' +
        `  connstring: ${db}\n  migrations: true\n  disable_updaters: true\n  disable_enrichment: true\n` +
        'notifier:\n' +
        `  connstring: ${db}\n  migrations: true\n  poll_interval: 1m\n  delivery_interval: 1m\n${webhook}` +
        'auth:\n' +
        `  psk:\n    key: ${this.psk}\n    iss: [${JSON.stringify(this.issuer)}]\n`,
    );
  }
}
