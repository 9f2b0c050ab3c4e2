import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Analyzer, AnalyzerResult } from '@scangate/analysis';
import { type CircuitStateName, createAnalyzer } from '@scangate/analyzers';
import type { ClairConfig } from '@scangate/config';
import { parseImageRef } from '@scangate/image-ref';
import { RegistryClient } from '@scangate/registry';
import { type ApkPackage, pushAlpineImage } from './harness/alpine-image';
import { type AlpineVulnerability, TestClair } from './harness/clair';
import { requireRegistryBinaries, startRegistry, type TestRegistry } from './harness/docker-registry';
import { startPostgres, type TestPostgres } from './harness/postgres';
import { eventually } from './harness/scangate-stack';

// The Clair adapter against a real Clair v4.9.0 (combo mode, offline) on a real PostgreSQL 15,
// indexing tiny Alpine images that a real docker-registry serves (anonymous and htpasswd).

jest.setTimeout(180_000);
requireRegistryBinaries();

const VULNERABILITIES: readonly AlpineVulnerability[] = [
  { name: 'CVE-2099-0001', package: 'busybox', fixedIn: '1.36.1-r99', severity: 'High' },
  { name: 'CVE-2099-0002', package: 'musl', fixedIn: '', severity: 'High' },
  { name: 'CVE-2099-0003', package: 'zlib', fixedIn: '1.3.1-r9', severity: 'Critical' },
];
const BASE: readonly ApkPackage[] = [{ name: 'alpine-baselayout', version: '3.4.3-r2' }];
const USER = { username: 'puller', password: 'pull-secret-123' };

let postgres: TestPostgres;
let clair: TestClair;
let registry: TestRegistry;
let authRegistry: TestRegistry;
let work: string;
let resolver: RegistryClient;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scangate-clair-spec-'));
  [postgres, registry, authRegistry] = await Promise.all([
    startPostgres(),
    startRegistry(),
    startRegistry({ kind: 'htpasswd', users: [USER] }),
  ]);
  clair = await TestClair.allocate(postgres);
  await clair.start();
  await clair.importVulnerabilities(VULNERABILITIES);
  const dockerConfigFile = join(work, 'config.json');
  const auth = Buffer.from(`${USER.username}:${USER.password}`).toString('base64');
  writeFileSync(dockerConfigFile, JSON.stringify({ auths: { [authRegistry.host]: { auth } } }));
  const hosts = [registry.host, authRegistry.host];
  resolver = RegistryClient.fromConfig({
    registries: {
      insecure: hosts,
      allowPrivateNetworks: false,
      privateHosts: hosts,
      platforms: ['linux/amd64'],
      dockerConfigFile,
    },
    policy: { allowedRegistries: [] },
  });
});

afterAll(async () => {
  resolver?.close();
  await clair?.dispose();
  await Promise.all([postgres?.dispose(), registry?.dispose(), authRegistry?.dispose()]);
  rmSync(work, { recursive: true, force: true });
});

function clairConfig(overrides: Partial<ClairConfig> = {}): ClairConfig {
  return {
    url: clair.url,
    psk: clair.psk,
    issuer: clair.issuer,
    maxSeverity: 'High',
    maxUnfixedSeverity: 'Critical',
    ignore: [],
    platform: 'linux/amd64',
    indexTimeoutMs: 60_000,
    notifier: { header: 'X-Scangate-Notifier-Token', pageSize: 500 },
    ...overrides,
  };
}

/** The adapter as the worker builds it (createAnalyzer); `circuit` follows its breaker's state. */
function analyzerWith(
  overrides: Partial<ClairConfig> = {},
  guard: { requestTimeoutMs: number; failureThreshold: number; openMs: number } = {
    requestTimeoutMs: 10_000,
    failureThreshold: 5,
    openMs: 30_000,
  },
): Analyzer & { circuit: CircuitStateName[] } {
  const circuit: CircuitStateName[] = [];
  const analyzer = createAnalyzer(
    {
      type: 'clair',
      clair: clairConfig(overrides),
      requestTimeoutMs: guard.requestTimeoutMs,
      retries: 0,
      pollIntervalMs: 200,
      breaker: { failureThreshold: guard.failureThreshold, openMs: guard.openMs },
    },
    { telemetry: { circuitState: (name, state) => name === 'clair' && circuit.push(state) } },
  );
  if (!analyzer) throw new Error('createAnalyzer gave no analyzer for type clair');
  expect(analyzer.name).toBe('clair');
  return Object.assign(analyzer, { circuit });
}

/** Resolves `reference` like the worker does and analyses it, asking again while Clair is pending. */
async function analyse(analyzer: Analyzer, reference: string): Promise<AnalyzerResult> {
  const image = await resolver.resolve(parseImageRef(reference), AbortSignal.timeout(30_000));
  return eventually(
    async () => {
      const result = await analyzer.analyze(image, AbortSignal.timeout(90_000));
      return result.kind === 'pending' ? undefined : result;
    },
    90_000,
    `a Clair result for ${reference}`,
  );
}

describe('ClairAnalyzer against Clair v4.9.0', () => {
  it('denies an image with a fixable High vulnerability, naming it', async () => {
    const image = await pushAlpineImage(registry, 'vulnerable:1', [...BASE, { name: 'busybox', version: '1.36.1-r0' }]);
    const result = await analyse(analyzerWith(), image.reference);
    expect(result).toEqual({
      kind: 'verdict',
      allowed: false,
      reason: 'Clair: 1 vulnerability denied by policy: CVE-2099-0001 (High) in busybox 1.36.1-r0, fixed in 1.36.1-r99',
    });
  });

  it('allows a clean image', async () => {
    const image = await pushAlpineImage(registry, 'clean:1', BASE);
    expect(await analyse(analyzerWith(), image.reference)).toEqual({ kind: 'verdict', allowed: true });
  });

  it('allows an unfixed High under maxUnfixedSeverity Critical, and denies it under High', async () => {
    const image = await pushAlpineImage(registry, 'unfixed:1', [...BASE, { name: 'musl', version: '1.2.4-r2' }]);
    expect(await analyse(analyzerWith(), image.reference)).toEqual({ kind: 'verdict', allowed: true });
    expect(await analyse(analyzerWith({ maxUnfixedSeverity: 'High' }), image.reference)).toMatchObject({
      kind: 'verdict',
      allowed: false,
      reason: expect.stringContaining('CVE-2099-0002 (High) in musl 1.2.4-r2, no fix'),
    });
  });

  it('allows an image whose only finding is ignored', async () => {
    const image = await pushAlpineImage(registry, 'ignored:1', [...BASE, { name: 'zlib', version: '1.3-r0' }]);
    expect(await analyse(analyzerWith({ ignore: ['CVE-2099-0003'] }), image.reference)).toEqual({
      kind: 'verdict',
      allowed: true,
    });
    expect(await analyse(analyzerWith(), image.reference)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('CVE-2099-0003 (Critical) in zlib'),
    });
  });

  it('passes the registry credentials to Clair for a registry that needs them', async () => {
    const image = await pushAlpineImage(
      authRegistry,
      'private:1',
      [...BASE, { name: 'busybox', version: '1.36.1-r0' }],
      { credentials: USER },
    );
    const anonymous = await fetch(`http://${authRegistry.host}/v2/private/blobs/${image.layerDigest}`);
    expect(anonymous.status).toBe(401);
    expect(await analyse(analyzerWith(), image.reference)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('CVE-2099-0001'),
    });
  });

  it('fails permanently, without a verdict, when Clair rejects the JWT (wrong issuer)', async () => {
    const image = await pushAlpineImage(registry, 'issuer:1', BASE);
    const result = await analyse(analyzerWith({ issuer: 'not-configured' }), image.reference);
    expect(result).toMatchObject({ kind: 'failure', transient: false, reason: expect.stringContaining('HTTP 401') });
  });

  it('opens the breaker while Clair is down (no verdict), and analyses again once it is back', async () => {
    const image = await pushAlpineImage(registry, 'outage:1', [...BASE, { name: 'busybox', version: '1.36.1-r0' }]);
    const analyzer = analyzerWith({}, { requestTimeoutMs: 2_000, failureThreshold: 2, openMs: 1_000 });
    const resolved = await resolver.resolve(parseImageRef(image.reference), AbortSignal.timeout(30_000));
    await clair.stop();
    try {
      const results: AnalyzerResult[] = [];
      for (let i = 0; i < 3; i++) results.push(await analyzer.analyze(resolved, AbortSignal.timeout(10_000)));
      expect(results.map((r) => r.kind)).toEqual(['failure', 'failure', 'pending']);
      expect(results[0]).toMatchObject({ transient: true });
      expect(analyzer.circuit.at(-1)).toBe('open');
    } finally {
      await clair.start();
    }
    const after = await eventually(
      async () => {
        const result = await analyzer.analyze(resolved, AbortSignal.timeout(60_000));
        return result.kind === 'verdict' ? result : undefined;
      },
      60_000,
      'a verdict once Clair is back',
    );
    expect(after).toMatchObject({ allowed: false });
    expect(analyzer.circuit.slice(-2)).toEqual(['half-open', 'closed']);
  });
});
