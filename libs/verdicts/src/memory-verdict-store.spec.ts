import { MemoryVerdictStore } from './memory-verdict-store';

// The shared behaviour is proven by the contract suite (test/verdict-store.contract.ts); these
// are the memory store's own: its bound and its closed state.
const LIFETIMES = { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500 };

describe('MemoryVerdictStore', () => {
  it('holds at most maxEntries, evicting the oldest written first', async () => {
    const store = new MemoryVerdictStore({ lifetimes: LIFETIMES, maxEntries: 3 });
    for (const tag of ['1', '2', '3', '4']) await store.putTagDigest(`docker.io/library/nginx:${tag}`, `sha256:${tag}`);
    expect(store.size).toBe(3);
    expect(await store.getTagDigest('docker.io/library/nginx:1')).toBeUndefined();
    expect(await store.getTagDigest('docker.io/library/nginx:4')).toBe('sha256:4');
    // Rewriting a key makes it the newest.
    await store.putTagDigest('docker.io/library/nginx:2', 'sha256:2b');
    await store.putTagDigest('docker.io/library/nginx:5', 'sha256:5');
    expect(await store.getTagDigest('docker.io/library/nginx:2')).toBe('sha256:2b');
    expect(await store.getTagDigest('docker.io/library/nginx:3')).toBeUndefined();
  });

  it('drops expired entries when it meets them', async () => {
    let now = 1_000_000;
    const store = new MemoryVerdictStore({ lifetimes: LIFETIMES, now: () => now });
    await store.putTagDigest('docker.io/library/nginx:1', 'sha256:1');
    now += 60_000;
    expect(await store.listVerdicts({ kind: 'all' }, 10)).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('refuses work after close', async () => {
    const store = new MemoryVerdictStore({ lifetimes: LIFETIMES });
    await store.close();
    await expect(store.getTagDigest('docker.io/library/nginx:1')).rejects.toThrow('verdict store is closed');
    await expect(store.putFailure({ reference: 'r', analyzer: 'a', fingerprint: 'f' }, 'x')).rejects.toThrow();
    expect(await store.ping()).toBe(false);
  });
});
