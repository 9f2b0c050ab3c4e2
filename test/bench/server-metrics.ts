/**
 * scangate's own view of its latency: `scangate_admission_duration_seconds` from the admin
 * listener's `/metrics`, scraped before and after a measured run; the difference is that run's
 * histogram. Quantiles are estimated as Prometheus' histogram_quantile() does (linear inside a
 * bucket), so they are only as fine as the buckets; the mean (sum / count) is exact.
 */

const HISTOGRAM = 'scangate_admission_duration_seconds';

export interface HistogramSnapshot {
  /** Cumulative counts by upper bound (seconds), ascending; the last is +Inf. */
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly sum: number;
  readonly count: number;
}

/** A quantile estimate and the bucket it lies in (ms). */
export interface Quantile {
  readonly ms: number;
  readonly lowerMs: number;
  readonly upperMs: number;
}

export interface ServerTime {
  readonly count: number;
  readonly meanMs: number;
  readonly p50: Quantile;
  readonly p99: Quantile;
}

/** `<0.5` inside the first bucket (no finer answer exists), else `≈1.73 (1–2.5)`. */
export function formatQuantile(q: Quantile): string {
  if (q.lowerMs === 0) return `<${q.upperMs}`;
  if (!Number.isFinite(q.upperMs)) return `>${q.lowerMs}`;
  return `≈${q.ms.toFixed(2)} (${q.lowerMs}–${q.upperMs})`;
}

/** Sums the histogram over its labels (`endpoint`) from Prometheus text format. */
export function parseHistogram(text: string, name = HISTOGRAM): HistogramSnapshot {
  const byLe = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      byLe.set(bound, (byLe.get(bound) ?? 0) + value);
    } else if (line.startsWith(`${name}_sum`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    } else if (line.startsWith(`${name}_count`)) {
      count += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c }));
  return { buckets, sum, count };
}

export function histogramDelta(before: HistogramSnapshot, after: HistogramSnapshot): HistogramSnapshot {
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

export function serverTime(h: HistogramSnapshot): ServerTime | undefined {
  if (h.count <= 0) return undefined;
  const ms = (seconds: number): number => Number((seconds * 1000).toFixed(3));
  const q = (quantile: number): Quantile => {
    const rank = quantile * h.count;
    let lower = 0;
    let lowerCount = 0;
    for (const { le, count } of h.buckets) {
      if (count >= rank) {
        if (!Number.isFinite(le)) return { ms: ms(lower), lowerMs: ms(lower), upperMs: Number.POSITIVE_INFINITY };
        const inBucket = count - lowerCount;
        const value = inBucket > 0 ? lower + ((le - lower) * (rank - lowerCount)) / inBucket : le;
        return { ms: value * 1000, lowerMs: ms(lower), upperMs: ms(le) };
      }
      lower = le;
      lowerCount = count;
    }
    return { ms: ms(lower), lowerMs: ms(lower), upperMs: Number.POSITIVE_INFINITY };
  };
  return { count: h.count, meanMs: (h.sum / h.count) * 1000, p50: q(0.5), p99: q(0.99) };
}

/** `scangate_verdict_cache_total{result=…}` by result. */
export function cacheLookups(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('scangate_verdict_cache_total{')) continue;
    const result = /result="([^"]+)"/.exec(line)?.[1];
    if (result !== undefined) out[result] = (out[result] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** GC pauses by kind (minor, major, incremental, weakcb) from prom-client's default `nodejs_gc_duration_seconds`. */
export type GcPauses = Record<string, { readonly count: number; readonly seconds: number }>;

export function gcPauses(text: string): GcPauses {
  const out: Record<string, { count: number; seconds: number }> = {};
  for (const line of text.split('\n')) {
    const match = /^scangate_process_nodejs_gc_duration_seconds_(count|sum)\{kind="([^"]+)"\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, field, kind = '', value] = match;
    const entry = (out[kind] ??= { count: 0, seconds: 0 });
    if (field === 'count') entry.count = Number(value);
    else entry.seconds = Number(value);
  }
  return out;
}

export function gcDelta(before: GcPauses, after: GcPauses): GcPauses {
  return Object.fromEntries(
    Object.entries(after).map(([kind, a]) => [
      kind,
      { count: a.count - (before[kind]?.count ?? 0), seconds: a.seconds - (before[kind]?.seconds ?? 0) },
    ]),
  );
}

/** `GC 30 minor (4.6 ms avg), 1 major (13 ms)`: what stops the event loop during a run. */
export function formatGc(pauses: GcPauses): string {
  const part = (kind: string, label: string): string | undefined => {
    const p = pauses[kind];
    if (!p || p.count <= 0) return undefined;
    return `${p.count} ${label} (${((p.seconds / p.count) * 1000).toFixed(1)} ms avg)`;
  };
  const parts = [part('minor', 'minor'), part('major', 'major')].filter((p) => p !== undefined);
  return parts.length > 0 ? `GC ${parts.join(', ')}` : 'no GC';
}
