import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';

/**
 * Where the time goes in a V8 `.cpuprofile` (`node --cpu-prof`): self time by function and by
 * component (a node_modules package, a scangate package, Node's internals, native/GC).
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time not spent idle (`(idle)` and the profiler's own `dispatch` excluded). */
  readonly busyMs: number;
  readonly functions: readonly {
    readonly name: string;
    readonly where: string;
    readonly ms: number;
    readonly share: number;
    /** The callers it spent most of that time under, nearest first (`a ← b ← c`). */
    readonly via: string;
  }[];
  readonly components: readonly { readonly name: string; readonly ms: number; readonly share: number }[];
}

const CALLER_DEPTH = 4;

export function summariseCpuProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const callers = (id: number): string => {
    const names: string[] = [];
    for (let p = parentOf.get(id); p !== undefined && names.length < CALLER_DEPTH; p = parentOf.get(p)) {
      const frame = byId.get(p)?.callFrame;
      if (!frame || frame.functionName === '(root)') break;
      names.push(frame.functionName || '(anonymous)');
    }
    return names.join(' ← ');
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const functions = new Map<string, { name: string; where: string; us: number; via: Map<string, number> }>();
  const components = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    // Idle, and the inspector's own dispatch (building the profile at Profiler.stop).
    if (frame.functionName === '(idle)' || (frame.functionName === 'dispatch' && frame.url === '')) {
      idleUs += us;
      continue;
    }
    const where = frame.url ? `${shortUrl(frame.url, root)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? {
      name: frame.functionName || '(anonymous)',
      where,
      us: 0,
      via: new Map<string, number>(),
    };
    entry.us += us;
    const chain = callers(id);
    entry.via.set(chain, (entry.via.get(chain) ?? 0) + us);
    functions.set(key, entry);
    const component = componentOf(frame.functionName, frame.url);
    components.set(component, (components.get(component) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number): number => (busyUs > 0 ? us / busyUs : 0);
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({
        name: f.name,
        where: f.where,
        ms: f.us / 1000,
        share: share(f.us),
        via: [...f.via.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '',
      })),
    components: [...components.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
  };
}

function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf(`${sep}node_modules${sep}`);
  if (modules >= 0) return path.slice(modules + 14);
  return path.startsWith(root) ? relative(root, path) : path;
}

function componentOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program: native, outside JS)';
  if (!url) return `native: ${functionName}`;
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/').slice(0, 2).join('/') : url.slice(5)}`;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf(`${sep}node_modules${sep}`);
  if (modules >= 0) {
    const rest = path.slice(modules + 14).split(sep);
    const first = rest[0] ?? '';
    return first.startsWith('@') ? `${first}/${rest[1] ?? ''}` : first;
  }
  const scangate = /(apps|libs|test)\/([^/]+)\//.exec(path);
  return scangate ? `scangate ${scangate[1]}/${scangate[2]}` : path;
}

interface HeapNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

export interface AllocationSummary {
  readonly bytes: number;
  /** Allocation sites with their nearest callers (`f ← caller ← caller's caller`), heaviest first. */
  readonly sites: readonly { readonly site: string; readonly bytes: number; readonly share: number }[];
}

/** Bytes allocated by call site, from a sampling heap profile that includes what GC collected. */
export function summariseHeapProfile(file: string, root: string, top = 10): AllocationSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const sites = new Map<string, number>();
  let bytes = 0;
  const name = (frame: HeapNode['callFrame']): string =>
    `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}` : ''}`;
  const walk = (node: HeapNode, callers: readonly string[]): void => {
    const here = name(node.callFrame);
    if (node.selfSize > 0) {
      bytes += node.selfSize;
      const site = [here, ...callers].slice(0, 3).join(' ← ');
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, [here, ...callers]);
  };
  walk(profile.head, []);
  return {
    bytes,
    sites: [...sites.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([site, b]) => ({ site, bytes: b, share: bytes > 0 ? b / bytes : 0 })),
  };
}
