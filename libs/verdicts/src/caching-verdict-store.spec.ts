import { CachingVerdictStore } from './caching-verdict-store';
import { MemoryVerdictStore } from './memory-verdict-store';
import type { VerdictStore } from './verdict-store.port';
import type { Verdict } from './verdict.types';

// The L1 over the memory store with one injected clock. Over real Redis (outage, restart, flush
// from another process, PTTL-bounded memos): test/verdict-store-l1.spec.ts.
const LIFETIMES = { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500 };
const KEY = { digest: 'sha256:a', analyzer: 'clair', fingerprint: 'f1' };

function input(overrides: Partial<Verdict> = {}): Omit<Verdict, 'expiresAt'> {
  return { ...KEY, allowed: true, repositories: ['docker.io/library/nginx'], analyzedAt: 1_000_000, ...overrides };
}

/** A backing store whose reads can be made to fail, counting the reads that reach it. */
function setup(maxEntries = 100) {
  const clock = { now: 1_000_000 };
  const memory = new MemoryVerdictStore({ lifetimes: LIFETIMES, now: () => clock.now });
  const reads = { count: 0, fail: false };
  const backing: VerdictStore = Object.create(memory) as VerdictStore;
  for (const method of ['getVerdict', 'getTagMemo'] as const) {
    const original = memory[method].bind(memory) as (arg: never) => Promise<unknown>;
    Object.defineProperty(backing, method, {
      value: (arg: never) => {
        reads.count += 1;
        return reads.fail ? Promise.reject(new Error('Redis is down')) : original(arg);
      },
    });
  }
  const l1 = new CachingVerdictStore(backing, { maxEntries, tagTTL: LIFETIMES.tagTTL, now: () => clock.now });
  return { l1, memory, backing, clock, reads };
}

describe('CachingVerdictStore', () => {
  it('answers repeated reads from memory, and through an outage, until the verdict expires', async () => {
    const { l1, clock, reads } = setup();
    const stored = await l1.putVerdict(input());
    expect(await l1.getVerdict(KEY)).toEqual(stored);
    expect(reads.count).toBe(0);
    reads.fail = true;
    expect(await l1.getVerdict(KEY)).toEqual(stored);
    clock.now = stored.expiresAt - 1;
    expect(await l1.getVerdict(KEY)).toEqual(stored);
    clock.now = stored.expiresAt;
    await expect(l1.getVerdict(KEY)).rejects.toThrow('Redis is down');
    expect(l1.stats()).toEqual({ hits: 3, misses: 1, size: 0 });
  });

  it('caches what a read brings until its expiry, and does not cache misses', async () => {
    const { l1, memory, reads } = setup();
    await memory.putVerdict(input({ allowed: false }));
    expect(await l1.getVerdict({ ...KEY, digest: 'sha256:none' })).toBeUndefined();
    expect(await l1.getVerdict({ ...KEY, digest: 'sha256:none' })).toBeUndefined();
    expect((await l1.getVerdict(KEY))?.allowed).toBe(false);
    expect((await l1.getVerdict(KEY))?.allowed).toBe(false);
    expect(reads.count).toBe(3);
  });

  it('keeps a memo read from the store only until the expiry the store reported', async () => {
    const { l1, memory, clock, reads } = setup();
    await memory.putTagDigest('docker.io/library/nginx:1.27', 'sha256:a');
    clock.now += 59_000; // written a while ago: 1 s left
    expect(await l1.getTagDigest('docker.io/library/nginx:1.27')).toBe('sha256:a');
    reads.fail = true;
    clock.now += 999;
    expect(await l1.getTagDigest('docker.io/library/nginx:1.27')).toBe('sha256:a');
    clock.now += 1;
    await expect(l1.getTagDigest('docker.io/library/nginx:1.27')).rejects.toThrow();
  });

  it('keeps a memo written through it for tagTTL', async () => {
    const { l1, clock, reads } = setup();
    await l1.putTagDigest('docker.io/library/nginx:1.27', 'sha256:a');
    reads.fail = true;
    clock.now += 59_999;
    expect(await l1.getTagDigest('docker.io/library/nginx:1.27')).toBe('sha256:a');
    clock.now += 1;
    await expect(l1.getTagDigest('docker.io/library/nginx:1.27')).rejects.toThrow();
  });

  it('is bounded: the least recently used entry goes first', async () => {
    const { l1 } = setup(2);
    await l1.putVerdict(input({ digest: 'sha256:1' }));
    await l1.putVerdict(input({ digest: 'sha256:2' }));
    await l1.putVerdict(input({ digest: 'sha256:3' }));
    expect(l1.stats().size).toBe(2);
  });

  it('drops what a flush removed: by tag also the verdicts of its digest, only those', async () => {
    const { l1 } = setup();
    await l1.putVerdict(input());
    await l1.putVerdict(input({ digest: 'sha256:b', repositories: ['docker.io/library/redis'] }));
    await l1.putTagDigest('docker.io/library/nginx:1.27', 'sha256:a');
    await l1.putTagDigest('docker.io/library/redis:7', 'sha256:b');
    expect(await l1.flush({ kind: 'tag', repository: 'docker.io/library/nginx', tag: '1.27' })).toEqual({
      verdicts: 1,
      tags: 1,
    });
    expect(l1.stats().size).toBe(2);
    expect(await l1.getVerdict(KEY)).toBeUndefined();
    expect(await l1.flush({ kind: 'all' })).toEqual({ verdicts: 1, tags: 1 });
    expect(l1.stats().size).toBe(0);
  });

  it('drops entries when the backing store reports a flush from elsewhere', async () => {
    const { l1, memory } = setup();
    await l1.putVerdict(input());
    await l1.putTagDigest('docker.io/library/nginx:1.27', 'sha256:a');
    await memory.flush({ kind: 'digest', digest: 'sha256:a' });
    expect(l1.stats().size).toBe(0);
  });

  it('stops listening and closes the backing store on close', async () => {
    const { l1, backing } = setup();
    await l1.close();
    expect(await backing.ping()).toBe(false);
  });
});
