import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchProcesses } from './bench-processes';
import { CPU } from './bench-processes';

/**
 * Load from Debian's `wrk` (4.1, LuaJIT): HTTPS on loopback, keep-alive, a Lua script that posts
 * one AdmissionReview read from a file, and a `done()` hook that prints the figures as JSON.
 *
 * Fixed-rate runs: wrk2 is not in Debian, so the paced script gives every request a slot on a
 * per-thread schedule (`1000 / rate` ms apart, clock from clock_gettime through LuaJIT's FFI) and
 * `delay()` holds each connection until its slot. The schedule does not slip when the server is
 * slow (a late request is sent at once, the next slots stay where they were) as long as some of
 * the connections are free; latency is measured from the send, as wrk does (no coordinated-
 * omission correction), so use more connections than rate × latency needs.
 */

export interface WrkOptions {
  readonly url: string;
  readonly bodyFile: string;
  readonly seconds: number;
  readonly threads?: number;
  readonly connections?: number;
  /** Requests per second for the whole run (split over threads); absent: as fast as possible. */
  readonly rate?: number;
}

export interface WrkFigures {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Socket errors, timeouts and non-2xx/3xx answers. */
  readonly errors: number;
  /** wrk's own CPU time (user + system), from the shell's `times`. */
  readonly cpuSeconds: number;
}

const COMMON_LUA = `
local req
function init(args)
  local f = assert(io.open(args[1], "rb"))
  local body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = body
  req = wrk.format()
  if setup_rate then setup_rate(tonumber(args[2])) end
end

function request()
  return req
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_WRK {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
`;

// Defining delay() at all makes wrk schedule a timer before every request, so the unpaced
// script must not have one.
const PACED_LUA = `
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval, next_at = 0, nil
function setup_rate(rate_per_thread)
  interval = 1000 / rate_per_thread
end

function delay()
  local now = now_ms()
  if next_at == nil then next_at = now end
  next_at = next_at + interval
  local wait = next_at - now
  if wait < 0 then return 0 end
  return wait
end
`;

/** Writes the two Lua scripts into `dir`. */
export function writeWrkScripts(dir: string): { open: string; paced: string } {
  const open = join(dir, 'post-review.lua');
  const paced = join(dir, 'post-review-paced.lua');
  writeFileSync(open, COMMON_LUA);
  writeFileSync(paced, PACED_LUA + COMMON_LUA);
  return { open, paced };
}

export async function runWrk(
  processes: BenchProcesses,
  scripts: { open: string; paced: string },
  options: WrkOptions,
): Promise<WrkFigures> {
  const threads = options.threads ?? 1;
  const connections = options.connections ?? 16;
  const script = options.rate === undefined ? scripts.open : scripts.paced;
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '5s',
    '-s',
    script,
    options.url,
    '--',
    options.bodyFile,
    ...(options.rate === undefined ? [] : [String(options.rate / threads)]),
  ];
  // Through sh, whose `times` prints wrk's CPU time after it exits.
  const shell = 'wrk "$@" & pid=$!; trap \'kill $pid 2>/dev/null\' TERM INT; wait $pid; status=$?; times; exit $status';
  const child = processes.spawn('sh', ['-c', shell, 'wrk', ...args], {
    cpu: CPU.loadGenerator,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const match = /^BENCH_WRK (.*)$/m.exec(stdout);
  if (code !== 0 || match?.[1] === undefined)
    throw new Error(`wrk ${args.join(' ')} failed (exit ${code}):\n${stdout}${stderr}`);
  const raw = JSON.parse(match[1]) as Record<string, number>;
  const n = (key: string): number => raw[key] ?? 0;
  const seconds = n('duration_us') / 1e6;
  // `times`: the shell's user and system time, then its children's (wrk's): "0m1.23s 0m0.45s".
  const times = [...stdout.matchAll(/^(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s$/gm)].at(-1);
  const cpuSeconds = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : 0;
  return {
    requests: n('requests'),
    seconds,
    requestsPerSecond: n('requests') / seconds,
    p50Ms: n('p50_us') / 1000,
    p90Ms: n('p90_us') / 1000,
    p99Ms: n('p99_us') / 1000,
    maxMs: n('max_us') / 1000,
    errors: n('connect') + n('read') + n('write') + n('status') + n('timeout'),
    cpuSeconds,
  };
}
