import { createHash } from 'node:crypto';
import type { Analyzer, AnalyzerResult, ResolvedImage } from '@scangate/analysis';
import { AnchoreAnalyzer, createAnalyzer } from '@scangate/analyzers';
import type { AnalyzerConfig, AnchoreConfig } from '@scangate/config';
import { parseImageRef } from '@scangate/image-ref';
import {
  type AnchoreFlavour,
  AnchoreSimulator,
  type AnchoreSimulatorOptions,
  DEFAULT_USER,
} from './harness/anchore-simulator';

// The Anchore adapter, built by createAnalyzer as the apps build it, against the simulator, for
// Engine v1 and Enterprise v2 alike. The simulator validates every exchange against the saved
// specs; each test ends by expecting no violation.

const POLL_MS = 1234;
const digestOf = (seed: string): string => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

function analyzer(
  simulator: AnchoreSimulator,
  config: Partial<AnchoreConfig> = {},
  settings: Partial<AnalyzerConfig> = {},
): Analyzer {
  const built = createAnalyzer({
    type: 'anchore',
    anchore: {
      url: simulator.url,
      username: DEFAULT_USER.username,
      password: DEFAULT_USER.password,
      apiVersion: simulator.flavour,
      ...config,
    },
    requestTimeoutMs: 5_000,
    retries: 2,
    pollIntervalMs: POLL_MS,
    breaker: { failureThreshold: 5, openMs: 60_000 },
    ...settings,
  });
  if (!(built instanceof AnchoreAnalyzer)) throw new Error('createAnalyzer did not build the Anchore adapter');
  return built;
}

function image(reference: string, seed = reference): ResolvedImage {
  const digest = digestOf(seed);
  return { ref: parseImageRef(reference), digest, platforms: [{ digest, platform: 'linux/amd64' }] };
}

/** Calls analyze until it stops answering pending (the simulator moves one state per lookup). */
async function settle(
  subject: Analyzer,
  target: ResolvedImage,
  maxCalls = 10,
): Promise<{ result: AnalyzerResult; pendings: AnalyzerResult[] }> {
  const pendings: AnalyzerResult[] = [];
  for (let i = 0; i < maxCalls; i++) {
    const result = await subject.analyze(target, new AbortController().signal);
    if (result.kind !== 'pending') return { result, pendings };
    pendings.push(result);
  }
  throw new Error(`still pending after ${maxCalls} calls`);
}

const live = () => new AbortController().signal;

describe.each<AnchoreFlavour>(['v1', 'v2'])('AnchoreAnalyzer against the %s simulator', (flavour) => {
  const started: AnchoreSimulator[] = [];
  async function simulator(options: Partial<AnchoreSimulatorOptions> = {}): Promise<AnchoreSimulator> {
    const sim = await AnchoreSimulator.start({ flavour, ...options });
    started.push(sim);
    return sim;
  }
  const images = `/${flavour}/images`;

  afterEach(async () => {
    const violations = started.flatMap((sim) => sim.violations);
    await Promise.all(started.splice(0).map((sim) => sim.stop()));
    expect(violations).toEqual([]);
  });

  it('adds an unknown image by digest with its tag, is pending while Anchore works, then passes', async () => {
    const sim = await simulator();
    const target = image('registry.example.com/team/app:1.0');
    const { result, pendings } = await settle(analyzer(sim), target);
    expect(result).toEqual({ kind: 'verdict', allowed: true });
    expect(pendings.map((p) => p.kind === 'pending' && [p.retryAfterMs, p.reason])).toEqual([
      [POLL_MS, 'Anchore analysis_status not_analyzed'],
      [POLL_MS, 'Anchore analysis_status analysis_queued'],
      [POLL_MS, 'Anchore analysis_status analyzing'],
    ]);
    expect(sim.calls('POST', images)).toHaveLength(1);
    const check = sim.calls('GET', `${images}/${target.digest}/check`);
    expect(check).toHaveLength(1);
    expect(check[0]?.query).toMatchObject({ tag: 'registry.example.com/team/app:1.0', detail: 'true' });
  });

  it('denies on a failing policy, naming the gates and triggers', async () => {
    const sim = await simulator();
    const target = image('registry.example.com/team/bad:2');
    sim.setPolicy(target.digest, {
      kind: 'fail',
      findings: [
        {
          gate: 'vulnerabilities',
          trigger: 'package',
          message: 'HIGH Vulnerability found in os package type (APKG) - openssl (CVE-2024-0001)',
        },
        { gate: 'dockerfile', trigger: 'instruction', message: 'Dockerfile directive USER not found' },
      ],
    });
    const { result } = await settle(analyzer(sim), target);
    expect(result.kind === 'verdict' && result.allowed).toBe(false);
    const reason = result.kind === 'verdict' ? (result.reason ?? '') : '';
    expect(reason).toContain(
      `Anchore policy ${sim.policyId} failed for registry.example.com/team/bad:2 (final action stop)`,
    );
    expect(reason).toContain(
      'vulnerabilities/package: HIGH Vulnerability found in os package type (APKG) - openssl (CVE-2024-0001)',
    );
    expect(reason).toContain('dockerfile/instruction: Dockerfile directive USER not found');
  });

  it('allows on warn, with the warnings as the reason', async () => {
    const sim = await simulator();
    const target = image('registry.example.com/team/warned:1');
    sim.setPolicy(target.digest, {
      kind: 'warn',
      findings: [{ gate: 'dockerfile', trigger: 'exposed_ports', message: 'port 22 exposed' }],
    });
    const { result } = await settle(analyzer(sim), target);
    expect(result).toEqual({
      kind: 'verdict',
      allowed: true,
      reason: `Anchore policy ${sim.policyId} passed with warnings for registry.example.com/team/warned:1: dockerfile/exposed_ports: port 22 exposed`,
    });
  });

  it('answers pending for an image Anchore is still analysing, without adding it again', async () => {
    const sim = await simulator({ progression: 'manual' });
    const target = image('registry.example.com/team/slow:1');
    sim.seed({ digest: target.digest, tag: 'registry.example.com/team/slow:1', status: 'analyzing' });
    const subject = analyzer(sim);
    expect(await subject.analyze(target, live())).toEqual({
      kind: 'pending',
      retryAfterMs: POLL_MS,
      reason: 'Anchore analysis_status analyzing',
    });
    sim.setStatus(target.digest, 'analysis_queued');
    expect(await subject.analyze(target, live())).toMatchObject({
      kind: 'pending',
      reason: 'Anchore analysis_status analysis_queued',
    });
    sim.setStatus(target.digest, 'analyzed');
    expect(await subject.analyze(target, live())).toEqual({ kind: 'verdict', allowed: true });
    expect(sim.calls('POST', images)).toHaveLength(0);
  });

  it('reports analysis_failed as a permanent failure, not a verdict', async () => {
    const sim = await simulator();
    const target = image('registry.example.com/team/broken:1');
    sim.failAnalysis(target.digest);
    const { result } = await settle(analyzer(sim), target);
    expect(result).toMatchObject({ kind: 'failure', transient: false });
    expect(result.kind === 'failure' && result.reason).toContain(
      `Anchore could not analyse the image (analysis_failed), which says nothing about its content: fix the cause in Anchore, re-add the image there with force, then rescan: registry.example.com/team/broken@${target.digest}`,
    );
  });

  it('reports rejected credentials as a permanent failure', async () => {
    const sim = await simulator();
    const result = await analyzer(sim, { password: 'wrong' }).analyze(image('registry.example.com/team/app:1'), live());
    expect(result).toEqual({
      kind: 'failure',
      transient: false,
      reason: 'Anchore rejected the credentials (401): check analyzer.anchore.username and password',
    });
    expect(sim.requests.map((r) => r.status)).toEqual([401]);
  });

  it('reports 5xx as a transient failure after its retries, and recovers when Anchore does', async () => {
    const sim = await simulator({ progression: 'manual' });
    const target = image('registry.example.com/team/flaky:1');
    sim.seed({ digest: target.digest, tag: 'registry.example.com/team/flaky:1', status: 'analyzed' });
    const subject = analyzer(sim);
    sim.failNext(3);
    expect(await subject.analyze(target, live())).toEqual({
      kind: 'failure',
      transient: true,
      reason: 'Anchore get image: HTTP 500: simulated failure',
    });
    expect(sim.requests.map((r) => r.status)).toEqual([500, 500, 500]);
    sim.failNext(1);
    expect(await subject.analyze(target, live())).toEqual({ kind: 'verdict', allowed: true });
  });

  it('turns an open circuit into pending with the time left', async () => {
    const sim = await simulator();
    const subject = analyzer(sim, {}, { retries: 0, breaker: { failureThreshold: 1, openMs: 60_000 } });
    sim.failNext(1);
    const target = image('registry.example.com/team/down:1');
    expect(await subject.analyze(target, live())).toMatchObject({ kind: 'failure', transient: true });
    const result = await subject.analyze(target, live());
    expect(result.kind).toBe('pending');
    expect(result.kind === 'pending' && result.retryAfterMs).toBeGreaterThan(50_000);
    expect(sim.requests).toHaveLength(1);
  });

  it('compares a manifest list against the parent digest of the platform manifest Anchore analysed', async () => {
    const sim = await simulator();
    const list = digestOf('multi-arch list');
    const amd64 = digestOf('multi-arch amd64');
    const arm64 = digestOf('multi-arch arm64');
    sim.manifestList(list, amd64);
    sim.setPolicy(list, {
      kind: 'fail',
      findings: [{ gate: 'vulnerabilities', trigger: 'package', message: 'CRITICAL CVE-2024-9' }],
    });
    const ref = parseImageRef('registry.example.com/team/multi:1');
    const subject = analyzer(sim);

    const same: ResolvedImage = { ref, digest: list, platforms: [{ digest: amd64, platform: 'linux/amd64' }] };
    const { result } = await settle(subject, same);
    expect(result).toMatchObject({ kind: 'verdict', allowed: false, platformDigests: [amd64] });
    expect(sim.calls('GET', `${images}/${amd64}/check`)).toHaveLength(1);
    expect(sim.calls('POST', images)).toHaveLength(1);

    // Configured for arm64, while Anchore chose amd64: found by tag, its parent being the list.
    const other: ResolvedImage = { ref, digest: list, platforms: [{ digest: arm64, platform: 'linux/arm64' }] };
    expect(await subject.analyze(other, live())).toMatchObject({
      kind: 'verdict',
      allowed: false,
      platformDigests: [amd64],
    });
    expect(sim.calls('POST', images)).toHaveLength(1);
  });

  it('spells Docker Hub official images as Anchore does (docker.io/nginx, no library/)', async () => {
    const sim = await simulator();
    const target = image('nginx:1.25');
    expect(target.ref.name).toBe('docker.io/library/nginx');
    await settle(analyzer(sim), target);
    expect(sim.calls('GET', `${images}/${target.digest}/check`)[0]?.query['tag']).toBe('docker.io/nginx:1.25');
    const lookups = sim.calls('GET', images).filter((r) => r.path === images);
    expect(lookups[0]?.query).toEqual({ [flavour === 'v1' ? 'fulltag' : 'full_tag']: 'docker.io/nginx:1.25' });
  });

  it("passes the account and the policy id, in this API version's spelling", async () => {
    const sim = await simulator({ accounts: ['team-a'], policyId: 'policy-7' });
    const target = image('registry.example.com/team/acct:1');
    const { result } = await settle(analyzer(sim, { account: 'team-a', policyId: 'policy-7' }), target);
    expect(result).toEqual({ kind: 'verdict', allowed: true });
    expect(sim.requests.every((r) => r.account === 'team-a')).toBe(true);
    const check = sim.calls('GET', `${images}/${target.digest}/check`)[0];
    expect(check?.query[flavour === 'v1' ? 'policyId' : 'policy_id']).toBe('policy-7');

    const unknownPolicy = await settle(analyzer(sim, { account: 'team-a', policyId: 'nope' }), target);
    expect(unknownPolicy.result).toMatchObject({ kind: 'failure', transient: false });
    expect(unknownPolicy.result.kind === 'failure' && unknownPolicy.result.reason).toContain(
      'policy bundle nope not found',
    );
  });

  it('reports a refused account (403) as a permanent failure naming it', async () => {
    const sim = await simulator({ users: [{ username: 'ci', password: 'pw', account: 'ci' }], accounts: ['other'] });
    const result = await analyzer(sim, { username: 'ci', password: 'pw', account: 'other' }).analyze(
      image('registry.example.com/x/y:1'),
      live(),
    );
    expect(result).toMatchObject({ kind: 'failure', transient: false });
    expect(result.kind === 'failure' && result.reason).toContain(
      'Anchore refused get image (403): user ci lacks the permission or may not act in account other',
    );
  });

  it('detects the API version from GET /version once', async () => {
    const sim = await simulator();
    const subject = analyzer(sim, { apiVersion: 'auto' });
    await settle(subject, image('registry.example.com/team/auto:1'));
    await settle(subject, image('registry.example.com/team/auto:2'));
    expect(sim.calls('GET', '/version')).toHaveLength(1);
    expect(sim.requests.filter((r) => r.path !== '/version').every((r) => r.path.startsWith(`/${flavour}/`))).toBe(
      true,
    );
  });
});

describe('Anchore specifics', () => {
  const started: AnchoreSimulator[] = [];
  afterEach(async () => {
    const violations = started.flatMap((sim) => sim.violations);
    await Promise.all(started.splice(0).map((sim) => sim.stop()));
    expect(violations).toEqual([]);
  });
  async function simulator(options: AnchoreSimulatorOptions): Promise<AnchoreSimulator> {
    const sim = await AnchoreSimulator.start(options);
    started.push(sim);
    return sim;
  }

  it('v1: an evaluation without status (no stored evaluation) is a deny', async () => {
    const sim = await simulator({ flavour: 'v1' });
    const target = image('registry.example.com/team/unevaluated:1');
    sim.setPolicy(target.digest, { kind: 'no-evaluation' });
    const { result } = await settle(analyzer(sim), target);
    expect(result).toEqual({
      kind: 'verdict',
      allowed: false,
      reason:
        'Anchore policy failed for registry.example.com/team/unevaluated:1 (final action fail): Anchore holds no policy evaluation for the image (no status)',
    });
  });

  it('v2 without an un-prefixed /version: detected from /v2/version', async () => {
    const sim = await simulator({ flavour: 'v2', rootVersion: false });
    const { result } = await settle(analyzer(sim, { apiVersion: 'auto' }), image('registry.example.com/team/v2:1'));
    expect(result).toEqual({ kind: 'verdict', allowed: true });
    expect(sim.requests.slice(0, 2).map((r) => [r.path, r.status])).toEqual([
      ['/version', 404],
      ['/v2/version', 200],
    ]);
  });

  it('a URL ending in /v1 or /v2 names the API version', async () => {
    const sim = await simulator({ flavour: 'v2' });
    const { result } = await settle(
      analyzer(sim, { apiVersion: 'auto', url: `${sim.url}/v2/` }),
      image('registry.example.com/team/url:1'),
    );
    expect(result).toEqual({ kind: 'verdict', allowed: true });
    expect(sim.calls('GET', '/version')).toHaveLength(0);
  });
});
