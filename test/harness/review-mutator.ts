/**
 * Seeded mutations of review bodies for the fuzz test: random JSON edits, huge strings, deep
 * nesting, wrong types, prototype-pollution keys and broken JSON text. Deterministic per seed so
 * a failure can be replayed.
 */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

export interface MutatedBody {
  readonly text: string;
  readonly contentType: string;
  readonly mutation: string;
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];
const WEIRD_STRINGS = [
  '',
  ' ',
  'nginx:latest',
  'a'.repeat(5000),
  '\u0000',
  '\ud800',
  '😀/app:1',
  `x@sha256:${'f'.repeat(64)}`,
  '[::1]:5000/a:1',
  'registry.example.com.evil.io/app:1',
  '../../etc/passwd',
  '%00',
  'CREATE',
  'ephemeralcontainers',
];

function randomValue(r: SeededRandom, depth = 0): unknown {
  switch (r.int(depth > 2 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1e308, Number.MAX_SAFE_INTEGER, 3.14]);
    case 3:
      return r.pick(WEIRD_STRINGS);
    case 4:
      return r.next() < 0.1 ? 'z'.repeat(200_000 + r.int(300_000)) : `s${r.int(1e6)}`;
    case 5:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    case 6: {
      const object: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--)
        object[r.next() < 0.3 ? r.pick(POLLUTION_KEYS) : `k${r.int(100)}`] = randomValue(r, depth + 1);
      return object;
    }
    default:
      return { image: r.pick(WEIRD_STRINGS), name: 'x' };
  }
}

/** Every container/object/array position in a JSON value, as a path of keys. */
function positions(
  value: unknown,
  path: (string | number)[] = [],
  out: (string | number)[][] = [],
  budget = { left: 4000 },
): (string | number)[][] {
  if (budget.left-- <= 0) return out;
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => positions(v, [...path, i], out, budget));
  else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value))
      positions((value as Record<string, unknown>)[key], [...path, key], out, budget);
  }
  return out;
}

function parentOf(root: unknown, path: (string | number)[]): Record<string | number, unknown> | undefined {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

/** One mutated request body derived from `base` (a valid review). */
export function mutateReview(base: object, r: SeededRandom): MutatedBody {
  const json = 'application/json';
  const kind = r.int(100);
  if (kind < 6) {
    const text = JSON.stringify(base);
    return { text: text.slice(0, r.int(text.length)), contentType: json, mutation: 'truncated JSON' };
  }
  if (kind < 9) {
    const depth = 1000 + r.int(20_000);
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    return {
      text: JSON.stringify(base).replace('"object":', `"deep":${nested},"object":`),
      contentType: json,
      mutation: `nesting ${depth}`,
    };
  }
  if (kind < 11) {
    return {
      text: JSON.stringify(base),
      contentType: r.pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', '']),
      mutation: 'content type',
    };
  }
  if (kind < 14) {
    const key = r.pick(['__proto__', 'constructor']);
    const inject =
      key === '__proto__' ? `{"__proto__":{"polluted":true}}` : `{"constructor":{"prototype":{"polluted":true}}}`;
    return {
      text: JSON.stringify(base).replace('"metadata":', `"metadata":${inject},"x":`),
      contentType: json,
      mutation: `pollution ${key}`,
    };
  }
  const copy = JSON.parse(JSON.stringify(base)) as object;
  const edits = 1 + r.int(4);
  const applied: string[] = [];
  let widened = false;
  for (let i = 0; i < edits; i++) {
    const all = positions(copy);
    const path = r.pick(all.slice(1));
    if (!path) break;
    const parent = parentOf(copy, path);
    const key = path[path.length - 1] as string | number;
    if (!parent || typeof parent !== 'object') continue;
    const op = r.int(4);
    if (op === 0 && !Array.isArray(parent)) {
      delete parent[key];
      applied.push(`delete ${path.join('.')}`);
    } else if (
      op === 1 &&
      !widened &&
      Array.isArray(parent[key]) &&
      JSON.stringify((parent[key] as unknown[])[0] ?? null).length < 2048
    ) {
      widened = true;
      const first = JSON.stringify((parent[key] as unknown[])[0] ?? null);
      parent[key] = Array.from({ length: 1 + r.int(3000) }, () => JSON.parse(first) as unknown);
      applied.push(`widen ${path.join('.')}`);
    } else {
      parent[key] = randomValue(r);
      applied.push(`set ${path.join('.')}`);
    }
  }
  return { text: JSON.stringify(copy), contentType: json, mutation: applied.join('; ') };
}
