import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureEmbeddedTls } from '@scangate/webhook';
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../harness/local-host';
import { BenchProcesses, CPU, canPin, cpuShares, readyLine, sampleCpu, waitUntil } from './bench-processes';
import type { CpuShares } from './bench-processes';
import { allowedOf, getText, postJson } from './bench-https';
import { summariseCpuProfile, summariseHeapProfile } from './v8-profiles';
import type { AllocationSummary } from './v8-profiles';
import { OPA_BINARY, requirePeers, startOpa } from './peers';
import { ALLOWED_REGISTRIES, largeUpdateReview, parityReviews, podReview } from './reviews';
import type { BenchReview } from './reviews';
import {
  cacheLookups,
  formatGc,
  formatQuantile,
  gcDelta,
  gcPauses,
  histogramDelta,
  parseHistogram,
  serverTime,
} from './server-metrics';
import { BENCH_ANALYZER, measureCachedDigestMemory, populateVerdicts, startBenchRedis } from './verdict-cache';
import type { WebhookChildSpec } from './webhook-server.child';
import { runWrk, writeWrkScripts } from './wrk';
import type { WrkFigures } from './wrk';

// Admission throughput and latency, `pnpm bench` (PRODUCT.md §5, §7; issue 4 item 8). One run,
// one machine, the same AdmissionReview bodies for every target, load from wrk over HTTPS with
// keep-alive on loopback:
//   (a)  a bare Node HTTPS server answering a fixed review — the ceiling;
//   (b)  scangate embedded (`scangate serve`, no config file), local rules only;
//   (c)  scangate with a warm Redis verdict cache (real redis-server, tag memos and verdicts written
//        beforehand under the analyzer identity the webhook runs with; its L1 in front, as shipped);
//   (c') the same with the L1 off, so every lookup is a Redis round trip;
//   (d)  OPA serving test/bench/opa/image-gate.rego, the seed design's rules.
// Scenarios: a 1-container Pod at full load (the goal's req/s) and at a fixed 1,000 req/s (the
// goal's p99), Pods of 10 and 100 containers, a 6 MiB UPDATE, and the memory of 100k cached
// digests. Every server runs in its own process pinned to one core; wrk (and Redis, a separate
// service in production) get the other. Beside wrk's client-side figures: each server's CPU per
// request (/proc), scangate's own `scangate_admission_duration_seconds` and GC pauses (admin
// /metrics), and how much CPU anything else took meanwhile (the machine may be shared). When a
// goal is missed, (c) is profiled with V8's CPU profiler and the heaviest functions are printed.

export interface AdmissionBenchOptions {
  /** `--quick`: 1 s runs and 10k digests, to check the harness, not to quote. */
  readonly quick?: boolean;
  /** `--profile`: profile scenario (c) even when every goal is met. */
  readonly profile?: boolean;
}

/** How long things run (wrk takes whole seconds). */
interface Durations {
  /** The headline scenario warms the fresh servers for longer. */
  readonly firstWarmup: number;
  readonly warmup: number;
  readonly seconds: number;
  /** The 10/100-container runs: shorter, the shape of the curve is what they show. */
  readonly sizeSeconds: number;
  readonly profileSeconds: number;
  readonly allocationSeconds: number;
  readonly memoryDigests: number;
}

const FULL: Durations = {
  firstWarmup: 2,
  warmup: 1,
  seconds: 5,
  sizeSeconds: 3,
  profileSeconds: 5,
  allocationSeconds: 3,
  memoryDigests: 100_000,
};
const QUICK: Durations = {
  firstWarmup: 1,
  warmup: 1,
  seconds: 1,
  sizeSeconds: 1,
  profileSeconds: 1,
  allocationSeconds: 1,
  memoryDigests: 10_000,
};
const THREADS = 1;
const CONNECTIONS = 16;
/** A 6 MiB review is a rare event; the API server would not have 16 of them in flight. */
const LARGE_CONNECTIONS = 4;
const FIXED_RATE = 1000;
/** scangate runs at its production log level: one decision line per review (to /dev/null). */
const LOG_LEVEL = 'info';

/** Below this share of its core at full load, the server was waiting for the load generator. */
const SATURATED = 0.85;

const GOALS = { cachedVsBare: 0.6, cachedVsOpa: 1.5, p99AtFixedRateMs: 2 } as const;

/** c0 is (c) with the in-process L1 off (`cache.l1MaxEntries: 0`): a Redis round trip per lookup. */
type TargetKey = 'a' | 'b' | 'c' | 'c0' | 'd';
const SHORT: Record<TargetKey, string> = { a: '(a)', b: '(b)', c: '(c)', c0: "(c')", d: '(d)' };

interface Target {
  readonly key: TargetKey;
  readonly label: string;
  readonly url: string;
  /** scangate's admin `/metrics`. */
  readonly metricsUrl?: string;
  /** The server process (its CPU time is read from /proc). */
  readonly pid: number | undefined;
  /** Its redis-server, when it has one. */
  readonly companions?: readonly number[];
}

interface Row {
  readonly target: Target;
  readonly wrk: WrkFigures;
  readonly cpu?: CpuShares;
}

interface BodyFile {
  readonly review: BenchReview;
  readonly file: string;
}

export interface AdmissionBenchOutcome {
  readonly goalsMet: boolean;
}

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export async function benchAdmission(options: AdmissionBenchOptions = {}): Promise<AdmissionBenchOutcome> {
  requirePeers();
  const d = options.quick ? QUICK : FULL;
  const processes = new BenchProcesses();
  const work = mkdtempSync(join(tmpdir(), 'scangate-bench-'));
  try {
    const tls = await ensureEmbeddedTls(join(work, 'tls'));
    const scripts = writeWrkScripts(work);
    const reviews = { one: podReview(1), ten: podReview(10), hundred: podReview(100), large: largeUpdateReview() };
    const bodies = Object.fromEntries(
      Object.entries(reviews).map(([key, review]) => {
        const file = join(work, `${key}.json`);
        writeFileSync(file, review.body);
        return [key, { review, file }];
      }),
    ) as Record<keyof typeof reviews, BodyFile>;
    const images = [...new Set(Object.values(reviews).flatMap((r) => r.images))];

    out(
      `\nadmission over HTTPS: wrk ${wrkVersion()} -t${THREADS} -c${CONNECTIONS}, keep-alive, loopback, ${d.warmup}s warm-up (${d.firstWarmup}s in the first scenario) + ${d.seconds}s per run`,
    );
    out(
      `  CPU placement: ${canPin() ? `server under test on core ${CPU.server}, wrk and redis-server on core ${CPU.loadGenerator} (taskset)` : 'not pinned (one core or no taskset)'}`,
    );
    out(
      '  server time: scangate_admission_duration_seconds from the admin /metrics, diffed per run; it spans the decision (controller entry to answer),',
    );
    out(
      "    not TLS, body parsing, the framework, the decision log line or the response write: wrk's latency includes all of those",
    );
    out(
      "  cpu: the server process's CPU time as a share of its core; other: CPU used meanwhile by anything but the server, its Redis",
    );
    out('    and wrk (other sessions, the OS), as a share of one core: more than ~10% means a disturbed run;');
    out(
      '    µs/req: server CPU per request (1e6 / µs/req = its capacity per core, less sensitive to disturbance than req/s)',
    );
    out(
      `  load average at start: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    out(
      `  scangate: log level ${LOG_LEVEL} (one decision line per review, to /dev/null); policy.allowedRegistries ${ALLOWED_REGISTRIES.join(', ')}, tags.denyLatest`,
    );
    out('  starting servers ...');

    // (c) needs Redis with the verdicts of every image the reviews carry.
    const redis = await startBenchRedis(processes);
    await populateVerdicts(redis.url, images);

    const [bare, embedded, cached, redisOnly, opa] = await Promise.all([
      startBare(processes, tls),
      startEmbedded(processes, tls, work),
      startCached(processes, tls, work, redis.url),
      startCached(processes, tls, work, redis.url, { SCANGATE_CACHE_L1MAXENTRIES: '0' }),
      startOpa(processes, tls),
    ]);
    const targets: Record<TargetKey, Target> = {
      a: { key: 'a', label: '(a) bare Node HTTPS (ceiling)', ...bare },
      b: {
        key: 'b',
        label: '(b) scangate embedded, local rules',
        url: embedded.url,
        metricsUrl: embedded.metricsUrl,
        pid: embedded.child.pid,
      },
      c: {
        key: 'c',
        label: '(c) scangate, warm Redis verdicts',
        url: cached.url,
        metricsUrl: cached.metricsUrl,
        pid: cached.child.pid,
        companions: [redis.pid],
      },
      c0: {
        key: 'c0',
        label: "(c') (c) with L1 off: Redis per lookup",
        url: redisOnly.url,
        metricsUrl: redisOnly.metricsUrl,
        pid: redisOnly.child.pid,
        companions: [redis.pid],
      },
      d: { key: 'd', label: `(d) OPA ${opa.version}, image-gate.rego`, url: opa.url, pid: opa.pid },
    };
    out(`  OPA ${opa.version}: ${OPA_BINARY}, POST / → default decision data.system.main`);

    await checkDecisions(
      targets,
      Object.values(bodies).map((b) => b.review),
    );
    const lookupsBefore = await Promise.all(
      [cached, redisOnly].map(async (s) => cacheLookups((await getText(s.metricsUrl)).text)),
    );
    const all = [targets.a, targets.b, targets.c, targets.c0, targets.d];
    const four = [targets.a, targets.b, targets.c, targets.d];

    // 1. The headline: a one-container Pod.
    const main = await scenario(
      processes,
      scripts,
      `Pod, 1 container: ${bodies.one.review.body.length} bytes`,
      bodies.one.file,
      all,
      {
        seconds: d.seconds,
        connections: CONNECTIONS,
        warmup: d.firstWarmup,
      },
    );
    printRatios(main);

    // 2. A fixed 1,000 req/s.
    const fixed = await scenario(
      processes,
      scripts,
      `fixed rate ${FIXED_RATE} req/s, Pod, 1 container (wrk paced by a Lua schedule, ${CONNECTIONS} connections; latency from each send)`,
      bodies.one.file,
      [targets.c, targets.c0, targets.b, targets.d, targets.a],
      { seconds: d.seconds, connections: CONNECTIONS, rate: FIXED_RATE, warmup: 0 },
    );

    // 3. Pods of 10 and 100 containers (distinct images, each with its verdict in Redis).
    for (const body of [bodies.ten, bodies.hundred]) {
      const rows = await scenario(
        processes,
        scripts,
        `${body.review.name}: ${(body.review.body.length / 1024).toFixed(1)} KiB, ${d.sizeSeconds}s per run`,
        body.file,
        four,
        { seconds: d.sizeSeconds, connections: CONNECTIONS, warmup: d.warmup },
      );
      printRatios(rows);
    }

    // 4. A 6 MiB UPDATE.
    const large = await scenario(
      processes,
      scripts,
      `${bodies.large.review.name}, -c${LARGE_CONNECTIONS}`,
      bodies.large.file,
      four,
      {
        seconds: d.seconds,
        connections: LARGE_CONNECTIONS,
        warmup: d.warmup,
      },
    );
    printRatios(large);

    const lookupsAfter = await Promise.all(
      [cached, redisOnly].map(async (s) => cacheLookups((await getText(s.metricsUrl)).text)),
    );
    out('');
    ['(c)', "(c')"].forEach((name, i) => {
      const delta = (result: string): number => (lookupsAfter[i]?.[result] ?? 0) - (lookupsBefore[i]?.[result] ?? 0);
      const misses = delta('miss');
      out(
        `${name} verdict lookups during the runs: ${delta('hit')} hits, ${misses} misses${misses > 0 ? '  ← NOT WARM: its figures include analysis' : ''}`,
      );
    });
    out("  (concurrent admissions of one image share one lookup, so (c') with its slower lookups counts fewer)");

    await processes.stopAll(); // servers and Redis off before the memory measurement

    // 5. Memory of 100k distinct cached digests.
    await measureCachedDigestMemory(processes, d.memoryDigests, out);

    // The goal (issue 4).
    const goalsMet = printGoals(main, fixed);
    if (!goalsMet || options.profile)
      printProfile(await profileCached(processes, scripts, tls, work, bodies.one.file, d));
    return { goalsMet };
  } finally {
    await processes.stopAll();
    processes.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

function wrkVersion(): string {
  const text = spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout ?? '';
  return /^wrk (\S+)/.exec(text)?.[1] ?? '(unknown version)';
}

// ---------------------------------------------------------------- servers

async function startBare(
  processes: BenchProcesses,
  tls: { certFile: string; keyFile: string },
): Promise<{ url: string; pid: number | undefined }> {
  const child = processes.spawn(
    process.execPath,
    [join(__dirname, 'bare-server.child.js'), tls.certFile, tls.keyFile],
    { cpu: CPU.server },
  );
  const { port } = await readyLine<{ port: number }>(child, 'bare Node HTTPS server');
  return { url: `https://127.0.0.1:${port}`, pid: child.pid };
}

interface ScangateServer {
  readonly url: string;
  readonly metricsUrl: string;
  readonly child: ChildProcess;
}

/** The environment of a child: no inherited SCANGATE_* (the bench decides every setting). */
function childEnv(scangate: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SCANGATE_')));
  return { ...env, ...scangate };
}

function commonSettings(tls: { certFile: string; keyFile: string }): Record<string, string> {
  return {
    SCANGATE_LOG_LEVEL: LOG_LEVEL,
    SCANGATE_SERVER_HOST: '127.0.0.1',
    SCANGATE_SERVER_TLS_CERTFILE: tls.certFile,
    SCANGATE_SERVER_TLS_KEYFILE: tls.keyFile,
    SCANGATE_POLICY_ALLOWEDREGISTRIES: ALLOWED_REGISTRIES.join(','),
  };
}

/** (b): the shipped command, `scangate serve` without a config file (embedded mode). */
async function startEmbedded(
  processes: BenchProcesses,
  tls: { certFile: string; keyFile: string },
  work: string,
): Promise<ScangateServer> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const cli = resolve(__dirname, '..', '..', '..', 'apps', 'cli', 'dist', 'main.js');
  const settings = {
    ...commonSettings(tls),
    SCANGATE_ADMIN_PORT: String(adminPort),
    SCANGATE_SERVER_PORT: String(port),
    SCANGATE_DATADIR: join(work, 'embedded'),
  };
  const child = processes.spawn(process.execPath, [cli, 'serve'], { cpu: CPU.server, env: childEnv(settings) });
  child.stderr?.resume();
  const url = `https://127.0.0.1:${port}`;
  await waitUntil('scangate serve (embedded)', async () => (await getText(`${url}/healthz`)).status === 200);
  return { url, metricsUrl: await findMetrics(adminPort), child };
}

/** (c): startWebhook() with Redis and the bench's analyzer identity, in a child process. */
async function startCached(
  processes: BenchProcesses,
  tls: { certFile: string; keyFile: string },
  work: string,
  redisUrl: string,
  settings: Record<string, string> = {},
  profileFile?: string,
): Promise<ScangateServer> {
  const spec: WebhookChildSpec = {
    env: {
      ...commonSettings(tls),
      SCANGATE_REDIS_URL: redisUrl,
      SCANGATE_ADMIN_TOKEN: randomBytes(24).toString('hex'),
      // Nothing expires during the run: every lookup is a hit.
      SCANGATE_CACHE_ALLOWTTL: '3600',
      SCANGATE_CACHE_TAGTTL: '3600',
      ...settings,
    },
    dataDir: join(work, 'cached'),
    analyzer: BENCH_ANALYZER,
    ...(profileFile === undefined ? {} : { profileFile }),
  };
  const child = processes.spawn(process.execPath, [join(__dirname, 'webhook-server.child.js'), JSON.stringify(spec)], {
    cpu: CPU.server,
    env: childEnv({}),
    // An IPC channel for the profiler's start/stop (taskset execs node, which inherits it).
    stdio: ['ignore', 'ignore', 'pipe', ...(profileFile === undefined ? [] : ['ipc' as const])],
  });
  const { port, adminPort } = await readyLine<{ port: number; adminPort: number }>(child, 'scangate with Redis');
  return { url: `https://127.0.0.1:${port}`, metricsUrl: await findMetrics(adminPort), child };
}

/** The admin listener (plain HTTP, `RunningWebhook.adminUrl`) serves `/metrics` without a token. */
async function findMetrics(adminPort: number): Promise<string> {
  const url = `http://127.0.0.1:${adminPort}/metrics`;
  await waitUntil(`admin /metrics on port ${adminPort}`, async () => (await getText(url)).status === 200);
  return url;
}

/** Every target must answer the benchmark reviews `allowed`, and (b) and (d) must decide alike on the parity inputs. */
async function checkDecisions(targets: Record<TargetKey, Target>, reviews: readonly BenchReview[]): Promise<void> {
  for (const review of reviews) {
    for (const target of [targets.b, targets.c, targets.d]) {
      const allowed = allowedOf(await postJson(admissionUrl(target), review.body));
      if (!allowed)
        throw new Error(
          `${target.label} denied the benchmark review "${review.name}": the scenario would not measure the allow path`,
        );
    }
  }
  const parity = parityReviews();
  const disagreements: string[] = [];
  for (const input of parity) {
    const scangate = allowedOf(await postJson(admissionUrl(targets.b), input.body));
    const opa = allowedOf(await postJson(admissionUrl(targets.d), input.body));
    if (scangate !== opa)
      disagreements.push(
        `${input.label}: scangate ${scangate ? 'allows' : 'denies'}, OPA ${opa ? 'allows' : 'denies'}`,
      );
  }
  if (disagreements.length > 0)
    throw new Error(`image-gate.rego and scangate's rules disagree:\n  ${disagreements.join('\n  ')}`);
  out(
    `  decisions: every benchmark review allowed by (b), (c), (d); scangate's rules and the rego agree on ${parity.length}/${parity.length} parity inputs`,
  );
}

// ---------------------------------------------------------------- measuring

interface ScenarioOptions {
  readonly seconds: number;
  readonly connections: number;
  /** Requests per second; absent: as fast as the server answers. */
  readonly rate?: number;
  /** Seconds of load before the measured run; 0: none. */
  readonly warmup: number;
}

/** One table: every target under the same load, one after the other. */
async function scenario(
  processes: BenchProcesses,
  scripts: { open: string; paced: string },
  title: string,
  bodyFile: string,
  targets: readonly Target[],
  options: ScenarioOptions,
): Promise<Row[]> {
  out(`\n${title}`);
  out(
    tableLine([
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'errors',
      'cpu',
      'other',
      'µs/req',
      'server time (scangate histogram): mean / p50 / p99 ms; GC pauses',
    ]),
  );
  const rows: Row[] = [];
  let clientBoundRows = 0;
  for (const target of targets) {
    const load = {
      url: admissionUrl(target),
      bodyFile,
      threads: THREADS,
      connections: options.connections,
      ...(options.rate === undefined ? {} : { rate: options.rate }),
    };
    if (options.warmup > 0) await runWrk(processes, scripts, { ...load, seconds: options.warmup });
    const metricsBefore = target.metricsUrl ? (await getText(target.metricsUrl)).text : undefined;
    const cpuBefore = sampleCpu(target.pid, target.companions);
    const wrk = await runWrk(processes, scripts, { ...load, seconds: options.seconds });
    const cpu = cpuShares(cpuBefore, sampleCpu(target.pid, target.companions), wrk.cpuSeconds);
    const metricsAfter = target.metricsUrl ? (await getText(target.metricsUrl)).text : undefined;
    const row: Row = { target, wrk, ...(cpu ? { cpu } : {}) };
    rows.push(row);

    let serverColumn = '—';
    if (metricsBefore !== undefined && metricsAfter !== undefined) {
      const server = serverTime(histogramDelta(parseHistogram(metricsBefore), parseHistogram(metricsAfter)));
      const gc = formatGc(gcDelta(gcPauses(metricsBefore), gcPauses(metricsAfter)));
      serverColumn = server
        ? `${fmt(server.meanMs, 3)} / ${formatQuantile(server.p50)} / ${formatQuantile(server.p99)}; ${gc}`
        : gc;
    }
    const clientBound = options.rate === undefined && cpu !== undefined && cpu.server < SATURATED;
    if (clientBound) clientBoundRows += 1;
    out(
      tableLine([
        target.label,
        `${fmt(wrk.requestsPerSecond, 0)}${clientBound ? '*' : ''}`,
        fmt(wrk.p50Ms, 3),
        fmt(wrk.p99Ms, 3),
        fmt(wrk.maxMs, 1),
        String(wrk.errors),
        pct(cpu?.server),
        pct(cpu?.others),
        fmt(cpuPerRequest(row), 0),
        serverColumn,
      ]),
    );
  }
  if (clientBoundRows > 0) {
    out(
      `  * the server used less than ${SATURATED * 100}% of its core: wrk (one thread, one core) was the limit; the per-core ratios are the fair ones`,
    );
  }
  return rows;
}

const WIDTHS = [40, 8, 8, 8, 8, 6, 5, 5, 7] as const;

/** The label left-aligned, the figures right-aligned, the free-text last column as it is. */
function tableLine(cells: readonly string[]): string {
  const fixed = cells
    .slice(0, WIDTHS.length)
    .map((cell, i) => (i === 0 ? cell.padEnd(WIDTHS[0]) : cell.padStart(WIDTHS[i] ?? 0)));
  return `  ${fixed.join(' ')}   ${cells.slice(WIDTHS.length).join(' ')}`;
}

/** OPA answers the AdmissionReview at its root (the default decision); scangate and the bare server at /validate. */
function admissionUrl(target: Target): string {
  return target.key === 'd' ? `${target.url}/` : `${target.url}/validate`;
}

function rate(rows: readonly Row[], key: TargetKey): number {
  return rows.find((r) => r.target.key === key)?.wrk.requestsPerSecond ?? Number.NaN;
}

/** Requests per second per core from the server's CPU time (1e6 / µs per request). */
function capacity(rows: readonly Row[], key: TargetKey): number {
  const row = rows.find((r) => r.target.key === key);
  return row ? 1e6 / cpuPerRequest(row) : Number.NaN;
}

function printRatios(rows: readonly Row[]): void {
  const line = (title: string, of: (rows: readonly Row[], key: TargetKey) => number): void => {
    const ratio = (x: TargetKey, y: TargetKey): string =>
      `${SHORT[x]}/${SHORT[y]} ${fmt(of(rows, x) / of(rows, y), 2)}×`;
    const redisOnly = rows.some((r) => r.target.key === 'c0') ? `   ${ratio('c0', 'a')}   ${ratio('c0', 'd')}` : '';
    out(
      `  ${title.padEnd(22)} ${ratio('b', 'a')}   ${ratio('c', 'a')}   ${ratio('b', 'd')}   ${ratio('c', 'd')}${redisOnly}`,
    );
  };
  line('req/s ratios:', rate);
  if (rows.every((r) => r.cpu)) line('per-core (CPU) ratios:', capacity);
}

function printGoals(main: readonly Row[], fixed: readonly Row[]): boolean {
  const c = rate(main, 'c');
  const atLeast = (what: string, value: number, goal: number): { line: string; met: boolean } => {
    const met = value >= goal;
    const verdict = met
      ? `met, ${fmt((value / goal - 1) * 100, 0)}% above the goal`
      : `MISSED by ${fmt(goal - value, 2)}× (${fmt((1 - value / goal) * 100, 0)}% short of the goal)`;
    return { line: `  ${what.padEnd(40)} ${`${fmt(value, 2)}×`.padStart(10)}   ${verdict}`, met };
  };
  const p99 = fixed.find((r) => r.target.key === 'c')?.wrk.p99Ms ?? Number.NaN;
  const limit = GOALS.p99AtFixedRateMs;
  const p99Met = p99 <= limit;
  const goals = [
    atLeast(`(c) ≥ ${GOALS.cachedVsBare}× (a) req/s`, c / rate(main, 'a'), GOALS.cachedVsBare),
    atLeast(`(c) ≥ ${GOALS.cachedVsOpa}× (d) req/s`, c / rate(main, 'd'), GOALS.cachedVsOpa),
    {
      line: `  ${`(c) p99 ≤ ${limit} ms at ${FIXED_RATE} req/s`.padEnd(40)} ${`${fmt(p99, 2)} ms`.padStart(10)}   ${
        p99Met
          ? `met, ${fmt(limit - p99, 2)} ms to spare`
          : `MISSED by ${fmt(p99 - limit, 2)} ms (${fmt(p99 / limit, 1)}× the limit)`
      }`,
      met: p99Met,
    },
  ];
  out('\ngoal (issue 4)');
  for (const goal of goals) out(goal.line);
  if (main.every((r) => r.cpu)) {
    const ratio = (x: TargetKey, y: TargetKey): string => fmt(capacity(main, x) / capacity(main, y), 2);
    out(
      `  the same from CPU time per request (per-core capacity): (c)/(a) ${ratio('c', 'a')}×, (c)/(d) ${ratio('c', 'd')}×`,
    );
  }
  const bareP99 = fixed.find((r) => r.target.key === 'a')?.wrk.p99Ms;
  if (bareP99 !== undefined)
    out(`  for scale: the bare Node server's p99 at ${FIXED_RATE} req/s in the same run was ${fmt(bareP99, 2)} ms`);
  out(
    `  load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  return goals.every((g) => g.met);
}

// ---------------------------------------------------------------- profile

interface ProfileReport {
  readonly cpu: ReturnType<typeof summariseCpuProfile>;
  readonly allocation: AllocationSummary;
  readonly allocationRequests: number;
}

/**
 * Scenario (c) again with V8's sampling CPU profiler (what `node --cpu-prof` runs) on for the
 * measured window only — started after the warm-up, stopped before shutdown, so start-up and
 * module loading are not in it — then with its sampling heap profiler (bytes allocated per call
 * site, GC'd objects included: what drives the GC pauses).
 */
async function profileCached(
  processes: BenchProcesses,
  scripts: { open: string; paced: string },
  tls: { certFile: string; keyFile: string },
  work: string,
  bodyFile: string,
  d: Durations,
): Promise<ProfileReport> {
  out(
    `\nprofile: scenario (c) with V8's CPU profiler (as node --cpu-prof, 250 µs sampling) for ${d.profileSeconds}s after a warm-up, wrk -t${THREADS} -c${CONNECTIONS};`,
  );
  out(
    `  then V8's sampling heap profiler (every 4 KiB allocated, collected objects included) for ${d.allocationSeconds}s at ${FIXED_RATE} req/s`,
  );
  const redis = await startBenchRedis(processes);
  await populateVerdicts(redis.url, podReview(1).images);
  const file = join(work, 'cached.cpuprofile');
  const cached = await startCached(processes, tls, work, redis.url, {}, file);
  const url = `${cached.url}/validate`;
  await runWrk(processes, scripts, { url, bodyFile, seconds: d.firstWarmup, connections: CONNECTIONS });
  cached.child.send('profile-start');
  await runWrk(processes, scripts, { url, bodyFile, seconds: d.profileSeconds, connections: CONNECTIONS });
  cached.child.send('profile-stop');
  await waitUntil('the CPU profile', () => Promise.resolve(existsSync(file)), 30_000);
  cached.child.send('alloc-start');
  const paced = await runWrk(processes, scripts, {
    url,
    bodyFile,
    seconds: d.allocationSeconds,
    connections: CONNECTIONS,
    rate: FIXED_RATE,
  });
  cached.child.send('alloc-stop');
  await waitUntil('the heap profile', () => Promise.resolve(existsSync(`${file}.heap`)), 30_000);
  await processes.stop(cached.child);
  await redis.stop();
  const root = resolve(__dirname, '..', '..', '..');
  return {
    cpu: summariseCpuProfile(file, root),
    allocation: summariseHeapProfile(`${file}.heap`, root),
    allocationRequests: paced.requests,
  };
}

function printProfile({ cpu, allocation, allocationRequests }: ProfileReport): void {
  out(`  busy ${fmt(cpu.busyMs, 0)} ms of ${fmt(cpu.totalMs, 0)} ms sampled`);
  out('  self time by component:');
  for (const c of cpu.components.slice(0, 10)) out(`    ${fmt(c.share * 100, 1).padStart(5)}%  ${c.name}`);
  out('  top functions by self time:');
  for (const f of cpu.functions) {
    out(`    ${fmt(f.share * 100, 1).padStart(5)}%  ${f.name}  ${f.where}`);
    if (f.via) out(`              called from ${f.via}`);
  }
  const perRequest = allocationRequests > 0 ? allocation.bytes / allocationRequests / 1024 : Number.NaN;
  out(
    `  allocation: ${fmt(allocation.bytes / 1024 / 1024, 1)} MiB over ${allocationRequests} requests ≈ ${fmt(perRequest, 1)} KiB per request; heaviest sites:`,
  );
  for (const site of allocation.sites) out(`    ${fmt(site.share * 100, 1).padStart(5)}%  ${site.site}`);
}

/** The server's CPU time per answered request (µs): 1e6 / this is its capacity per core. */
function cpuPerRequest(row: { readonly wrk: WrkFigures; readonly cpu?: { readonly server: number } }): number {
  return row.cpu && row.wrk.requestsPerSecond > 0 ? (row.cpu.server * 1e6) / row.wrk.requestsPerSecond : Number.NaN;
}

function pct(share: number | undefined): string {
  return share === undefined ? '—' : `${Math.round(share * 100)}%`;
}

function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}
