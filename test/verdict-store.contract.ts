import {
  type AnalysisSubject,
  type FlushEvent,
  type StoreLifetimes,
  subjectKey,
  type Verdict,
  type VerdictKeys,
  type VerdictStore,
} from '@scangate/verdicts';

// One contract for every VerdictStore (PRODUCT.md §3.6–3.8): run by
// verdict-store-memory.spec.ts, verdict-store-redis.spec.ts and verdict-store-cluster.spec.ts.

/** A store under test, with the test hooks both implementations have. */
export interface ContractStore extends VerdictStore {
  readonly keys: VerdictKeys;
  waiterCount(): number;
}

export interface ContractHarness {
  /** A new, empty store (its own key space) with these lifetimes. */
  create(lifetimes: StoreLifetimes): Promise<ContractStore>;
  /** Another instance over the same data (Redis: its own connections; memory: the same process's store). */
  peer(store: ContractStore): Promise<ContractStore>;
  /** PTTL of a raw key, as Redis reports it (-2: no such key). */
  pttl(store: ContractStore, key: string): Promise<number>;
  /** Keys of the store that have no TTL (Redis PTTL -1). */
  keysWithoutTtl(store: ContractStore): Promise<string[]>;
  /** The store's clock (epoch ms). */
  now(): number;
  /**
   * Lets `ms` pass for the store: memory advances its injected clock; Redis waits in real time
   * (used only where Redis's own expiry is under test, for at most about a second).
   */
  elapse(ms: number): Promise<void>;
  /** Closes every store created (afterEach). */
  closeAll(): Promise<void>;
  /** Releases what the harness itself holds (afterAll). */
  dispose?(): Promise<void>;
}

const LIFETIMES: StoreLifetimes = { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500 };

const hex = (char: string): string => `sha256:${char.repeat(64)}`;
const A = hex('a');
const B = hex('b');
const C = hex('c');
const D = hex('d');
const NGINX = 'docker.io/library/nginx';
const REDIS = 'docker.io/library/redis';
const MIRROR = 'registry.example.com:5000/mirror/redis';
/** A repository whose tag references are too long to be readable keys (hashed into the key). */
const LONG = `registry.example.com:5000/${'deep/'.repeat(60)}image`;

function verdictInput(
  digest: string,
  options: { allowed?: boolean; analyzer?: string; fingerprint?: string; repositories?: string[]; analyzedAt: number },
): Omit<Verdict, 'expiresAt'> {
  const allowed = options.allowed ?? true;
  return {
    digest,
    analyzer: options.analyzer ?? 'clair',
    fingerprint: options.fingerprint ?? 'f1',
    allowed,
    ...(allowed ? {} : { reason: 'CVE-2099-0001 (High, fixed in 1.2)' }),
    repositories: options.repositories ?? [NGINX],
    analyzedAt: options.analyzedAt,
  };
}

function subject(reference: string, fingerprint = 'f1'): AnalysisSubject {
  return { reference, analyzer: 'clair', fingerprint };
}

/** A verdict key's ms of life as its TTL says: between `ttl - slack` and `ttl`. */
function expectTtl(actual: number, ttlMs: number, slackMs = 2000): void {
  expect(actual).toBeLessThanOrEqual(ttlMs);
  expect(actual).toBeGreaterThan(ttlMs - slackMs);
}

export function verdictStoreContract(name: string, makeHarness: () => ContractHarness): void {
  describe(`VerdictStore contract: ${name}`, () => {
    const h = makeHarness();
    afterEach(() => h.closeAll());
    afterAll(() => h.dispose?.());

    describe('verdicts', () => {
      it('keeps an allow verdict for allowTTL: expiresAt = analyzedAt + allowTTL, and the key lives as long', async () => {
        const store = await h.create(LIFETIMES);
        const analyzedAt = h.now();
        const stored = await store.putVerdict(verdictInput(A, { analyzedAt }));
        expect(stored.expiresAt).toBe(analyzedAt + 300_000);
        expect(await store.getVerdict({ digest: A, analyzer: 'clair', fingerprint: 'f1' })).toEqual(stored);
        expectTtl(await h.pttl(store, store.keys.verdict(stored)), 300_000);
      });

      it('keeps a deny verdict for denyTTL, with its reason', async () => {
        const store = await h.create(LIFETIMES);
        const analyzedAt = h.now();
        const stored = await store.putVerdict(verdictInput(B, { allowed: false, analyzedAt }));
        expect(stored).toMatchObject({
          allowed: false,
          reason: 'CVE-2099-0001 (High, fixed in 1.2)',
          expiresAt: analyzedAt + 30_000,
        });
        expect(await store.getVerdict(stored)).toEqual(stored);
        expectTtl(await h.pttl(store, store.keys.verdict(stored)), 30_000);
      });

      it('keys verdicts by digest, analyzer and policy fingerprint', async () => {
        const store = await h.create(LIFETIMES);
        await store.putVerdict(verdictInput(A, { analyzedAt: h.now() }));
        expect(await store.getVerdict({ digest: A, analyzer: 'clair', fingerprint: 'f2' })).toBeUndefined();
        expect(await store.getVerdict({ digest: A, analyzer: 'anchore', fingerprint: 'f1' })).toBeUndefined();
        expect(await store.getVerdict({ digest: B, analyzer: 'clair', fingerprint: 'f1' })).toBeUndefined();
        expect(await store.getVerdict({ digest: A, analyzer: 'clair', fingerprint: 'f1' })).toBeDefined();
      });

      it('drops a verdict when its lifetime ends (counted from analyzedAt)', async () => {
        const store = await h.create(LIFETIMES);
        // Analysed 29.7 s ago with denyTTL 30 s: 300 ms left.
        const stored = await store.putVerdict(verdictInput(A, { allowed: false, analyzedAt: h.now() - 29_700 }));
        const key = store.keys.verdict(stored);
        expectTtl(await h.pttl(store, key), 300, 150);
        expect(await store.getVerdict(stored)).toBeDefined();
        await h.elapse(450);
        expect(await store.getVerdict(stored)).toBeUndefined();
        expect(await h.pttl(store, key)).toBe(-2);
      });

      it('returns but does not store a verdict whose lifetime has already passed', async () => {
        const store = await h.create(LIFETIMES);
        const stored = await store.putVerdict(verdictInput(A, { allowed: false, analyzedAt: h.now() - 31_000 }));
        expect(stored.expiresAt).toBeLessThan(h.now());
        expect(await store.getVerdict(stored)).toBeUndefined();
        expect(await h.pttl(store, store.keys.verdict(stored))).toBe(-2);
      });

      it('replaces a verdict with a newer one, with the newer lifetime', async () => {
        const store = await h.create(LIFETIMES);
        await store.putVerdict(verdictInput(A, { allowed: true, analyzedAt: h.now() - 1000 }));
        const newer = await store.putVerdict(verdictInput(A, { allowed: false, analyzedAt: h.now() }));
        expect(await store.getVerdict(newer)).toEqual(newer);
        expectTtl(await h.pttl(store, store.keys.verdict(newer)), 30_000);
      });
    });

    describe('tag memos', () => {
      const ref = `${NGINX}:1.27`;

      it('maps a tag to its digest for tagTTL and reports the expiry', async () => {
        const store = await h.create(LIFETIMES);
        const before = h.now();
        await store.putTagDigest(ref, A);
        expect(await store.getTagDigest(ref)).toBe(A);
        const memo = await store.getTagMemo(ref);
        expect(memo).toEqual({ reference: ref, digest: A, expiresAt: expect.any(Number) });
        expect(memo?.expiresAt).toBeGreaterThan(before + 58_000);
        expect(memo?.expiresAt).toBeLessThanOrEqual(h.now() + 60_000);
        expectTtl(await h.pttl(store, store.keys.tag(ref)), 60_000);
        expect(await store.getTagDigest(`${NGINX}:1.26`)).toBeUndefined();
        expect(await store.getTagMemo(`${NGINX}:1.26`)).toBeUndefined();
      });

      it('forgets the memo after tagTTL, so a moved tag is seen', async () => {
        const store = await h.create({ ...LIFETIMES, tagTTL: 1 });
        await store.putTagDigest(ref, A);
        expectTtl(await h.pttl(store, store.keys.tag(ref)), 1000, 300);
        await h.elapse(1100);
        expect(await store.getTagDigest(ref)).toBeUndefined();
        await store.putTagDigest(ref, B);
        expect(await store.getTagDigest(ref)).toBe(B);
      });

      it('hashes a reference too long for a readable key, and still finds it', async () => {
        const store = await h.create(LIFETIMES);
        const long = `${LONG}:v1`;
        expect(store.keys.tag(long)).toMatch(/:t:#[0-9a-f]{64}$/);
        expect(store.keys.tag(ref)).toMatch(/:t:docker\.io\/library\/nginx:1\.27$/);
        await store.putTagDigest(long, D);
        expect(await store.getTagDigest(long)).toBe(D);
        expectTtl(await h.pttl(store, store.keys.tag(long)), 60_000);
      });
    });

    describe('failures', () => {
      const failing = subject(`${NGINX}:broken`);

      it('remembers a failure for errorBackoffMs, and it is never a verdict', async () => {
        const store = await h.create(LIFETIMES);
        await store.putFailure(failing, 'registry unreachable: ECONNREFUSED');
        expect(await store.getFailure(failing)).toBe('registry unreachable: ECONNREFUSED');
        expect(await store.getFailure(subject(`${NGINX}:broken`, 'f2'))).toBeUndefined();
        expectTtl(await h.pttl(store, store.keys.failure(subjectKey(failing))), 500, 300);
        expect(await store.listVerdicts({ kind: 'all' }, 100)).toEqual([]);
        expect(await store.getTagDigest(failing.reference)).toBeUndefined();
        expect(await store.flush({ kind: 'all' })).toEqual({ verdicts: 0, tags: 0 });
      });

      it('forgets the failure after errorBackoffMs', async () => {
        const store = await h.create({ ...LIFETIMES, errorBackoffMs: 200 });
        await store.putFailure(failing, 'analyzer timed out');
        await h.elapse(300);
        expect(await store.getFailure(failing)).toBeUndefined();
      });

      it('remembers nothing with errorBackoffMs 0', async () => {
        const store = await h.create({ ...LIFETIMES, errorBackoffMs: 0 });
        await store.putFailure(failing, 'analyzer timed out');
        expect(await store.getFailure(failing)).toBeUndefined();
      });
    });

    describe('waiters', () => {
      const waited = subject(`${NGINX}:1.27`);

      it('wakes a waiter of another instance when an outcome is published', async () => {
        const publisher = await h.create(LIFETIMES);
        const listener = await h.peer(publisher);
        await listener.listen();
        const first = listener.waitForOutcome(waited, h.now() + 10_000);
        const second = listener.waitForOutcome(waited, h.now() + 10_000);
        const other = listener.waitForOutcome(subject(`${NGINX}:1.26`), h.now() + 300);
        expect(listener.waiterCount()).toBe(3);
        await publisher.publishOutcome(waited, { kind: 'verdict', digest: A });
        expect(await first).toEqual({ kind: 'verdict', digest: A });
        expect(await second).toEqual({ kind: 'verdict', digest: A });
        expect(await other).toBeUndefined();
        expect(listener.waiterCount()).toBe(0);
      });

      it('wakes waiters with a failure', async () => {
        const publisher = await h.create(LIFETIMES);
        const listener = await h.peer(publisher);
        await listener.listen();
        const wait = listener.waitForOutcome(waited, h.now() + 10_000);
        await publisher.publishOutcome(waited, { kind: 'failed', reason: 'registry said 404' });
        expect(await wait).toEqual({ kind: 'failed', reason: 'registry said 404' });
      });

      it('resolves undefined at the deadline and cleans up', async () => {
        const store = await h.create(LIFETIMES);
        const started = Date.now();
        const wait = store.waitForOutcome(waited, h.now() + 200);
        expect(store.waiterCount()).toBe(1);
        expect(await wait).toBeUndefined();
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
        expect(store.waiterCount()).toBe(0);
        expect(await store.waitForOutcome(waited, h.now() - 1)).toBeUndefined();
        expect(store.waiterCount()).toBe(0);
      });

      it('resolves at once with what is already recorded: a digest verdict, a tag memo + verdict, a failure', async () => {
        const store = await h.create(LIFETIMES);
        const deadline = h.now() + 10_000;
        await store.putVerdict(verdictInput(A, { analyzedAt: h.now() }));
        expect(await store.waitForOutcome(subject(`${NGINX}@${A}`), deadline)).toEqual({ kind: 'verdict', digest: A });
        await store.putTagDigest(`${NGINX}:1.27`, A);
        expect(await store.waitForOutcome(subject(`${NGINX}:1.27`), deadline)).toEqual({ kind: 'verdict', digest: A });
        await store.putFailure(subject(`${NGINX}:broken`), 'manifest unknown');
        expect(await store.waitForOutcome(subject(`${NGINX}:broken`), deadline)).toEqual({
          kind: 'failed',
          reason: 'manifest unknown',
        });
        // A verdict under another fingerprint is not this subject's outcome.
        const stillWaiting = store.waitForOutcome(subject(`${NGINX}@${A}`, 'f2'), h.now() + 200);
        expect(await stillWaiting).toBeUndefined();
        expect(store.waiterCount()).toBe(0);
      });

      it('ends pending waits with undefined on close', async () => {
        const store = await h.create(LIFETIMES);
        const wait = store.waitForOutcome(waited, h.now() + 60_000);
        await store.close();
        expect(await wait).toBeUndefined();
        expect(store.waiterCount()).toBe(0);
      });
    });

    describe('list and flush', () => {
      /** Five verdicts, six memos and a failure; analysedAt gives the listing order. */
      async function seeded(): Promise<ContractStore> {
        const store = await h.create(LIFETIMES);
        const t = h.now();
        await store.putVerdict(verdictInput(A, { fingerprint: 'f1', analyzedAt: t - 5000 }));
        await store.putVerdict(verdictInput(A, { fingerprint: 'f2', analyzedAt: t - 4000 }));
        await store.putVerdict(verdictInput(B, { allowed: false, analyzedAt: t - 3000 }));
        await store.putVerdict(verdictInput(C, { repositories: [REDIS, MIRROR], analyzedAt: t - 2000 }));
        await store.putVerdict(verdictInput(D, { repositories: [LONG], analyzedAt: t - 1000 }));
        await store.putTagDigest(`${NGINX}:1.27`, A);
        await store.putTagDigest(`${NGINX}:stable`, A);
        await store.putTagDigest(`${NGINX}:1.26`, B);
        await store.putTagDigest(`${REDIS}:7`, C);
        await store.putTagDigest(`${MIRROR}:7`, C);
        await store.putTagDigest(`${LONG}:v1`, D);
        await store.putFailure(subject(`${NGINX}:broken`), 'manifest unknown');
        return store;
      }

      const summary = (verdicts: readonly Verdict[]): string[] =>
        verdicts.map((v) => `${v.digest.slice(7, 8)}/${v.fingerprint}`);

      async function memos(store: ContractStore): Promise<string[]> {
        const refs = [`${NGINX}:1.27`, `${NGINX}:stable`, `${NGINX}:1.26`, `${REDIS}:7`, `${MIRROR}:7`, `${LONG}:v1`];
        const present: string[] = [];
        for (const ref of refs)
          if ((await store.getTagDigest(ref)) !== undefined) present.push(ref === `${LONG}:v1` ? 'LONG:v1' : ref);
        return present;
      }

      it('lists every verdict, newest analysis first, up to the limit', async () => {
        const store = await seeded();
        expect(summary(await store.listVerdicts({ kind: 'all' }, 100))).toEqual([
          'd/f1',
          'c/f1',
          'b/f1',
          'a/f2',
          'a/f1',
        ]);
        expect(summary(await store.listVerdicts({ kind: 'all' }, 2))).toEqual(['d/f1', 'c/f1']);
        expect(await store.listVerdicts({ kind: 'all' }, 0)).toEqual([]);
      });

      it('lists by repository, tag and digest', async () => {
        const store = await seeded();
        expect(summary(await store.listVerdicts({ kind: 'repository', repository: NGINX }, 100))).toEqual([
          'b/f1',
          'a/f2',
          'a/f1',
        ]);
        expect(summary(await store.listVerdicts({ kind: 'repository', repository: MIRROR }, 100))).toEqual(['c/f1']);
        expect(summary(await store.listVerdicts({ kind: 'tag', repository: NGINX, tag: 'stable' }, 100))).toEqual([
          'a/f2',
          'a/f1',
        ]);
        expect(summary(await store.listVerdicts({ kind: 'tag', repository: NGINX, tag: 'none' }, 100))).toEqual([]);
        expect(summary(await store.listVerdicts({ kind: 'digest', digest: B }, 100))).toEqual(['b/f1']);
        expect(
          summary(await store.listVerdicts({ kind: 'repository', repository: 'docker.io/library/ngin' }, 100)),
        ).toEqual([]);
      });

      it('flushes everything: every verdict and tag memo, not failures', async () => {
        const store = await seeded();
        expect(await store.flush({ kind: 'all' })).toEqual({ verdicts: 5, tags: 6 });
        expect(await store.listVerdicts({ kind: 'all' }, 100)).toEqual([]);
        expect(await memos(store)).toEqual([]);
        expect(await store.getFailure(subject(`${NGINX}:broken`))).toBe('manifest unknown');
        expect(await store.flush({ kind: 'all' })).toEqual({ verdicts: 0, tags: 0 });
      });

      it('flushes a repository: its verdicts and its tag memos', async () => {
        const store = await seeded();
        expect(await store.flush({ kind: 'repository', repository: NGINX })).toEqual({ verdicts: 3, tags: 3 });
        expect(summary(await store.listVerdicts({ kind: 'all' }, 100))).toEqual(['d/f1', 'c/f1']);
        expect(await memos(store)).toEqual([`${REDIS}:7`, `${MIRROR}:7`, 'LONG:v1']);
      });

      it('flushes a repository that shares a digest with another: only its own memos go', async () => {
        const store = await seeded();
        expect(await store.flush({ kind: 'repository', repository: MIRROR })).toEqual({ verdicts: 1, tags: 1 });
        expect(await memos(store)).toEqual([
          `${NGINX}:1.27`,
          `${NGINX}:stable`,
          `${NGINX}:1.26`,
          `${REDIS}:7`,
          'LONG:v1',
        ]);
      });

      it('flushes a repository whose memo keys are hashed', async () => {
        const store = await seeded();
        expect(await store.flush({ kind: 'repository', repository: LONG })).toEqual({ verdicts: 1, tags: 1 });
        expect(await memos(store)).not.toContain('LONG:v1');
      });

      it('flushes a tag: its memo and the verdicts of the digest it points at', async () => {
        const store = await seeded();
        expect(await store.flush({ kind: 'tag', repository: NGINX, tag: '1.27' })).toEqual({ verdicts: 2, tags: 1 });
        expect(summary(await store.listVerdicts({ kind: 'all' }, 100))).toEqual(['d/f1', 'c/f1', 'b/f1']);
        expect(await memos(store)).toEqual([
          `${NGINX}:stable`,
          `${NGINX}:1.26`,
          `${REDIS}:7`,
          `${MIRROR}:7`,
          'LONG:v1',
        ]);
        expect(await store.flush({ kind: 'tag', repository: NGINX, tag: '1.27' })).toEqual({ verdicts: 0, tags: 0 });
      });

      it('flushes a digest: every verdict for it (any analyzer or fingerprint) and the memos pointing at it', async () => {
        const store = await seeded();
        await store.putVerdict(verdictInput(A, { analyzer: 'anchore', analyzedAt: h.now() }));
        expect(await store.flush({ kind: 'digest', digest: A })).toEqual({ verdicts: 3, tags: 2 });
        expect(summary(await store.listVerdicts({ kind: 'all' }, 100))).toEqual(['d/f1', 'c/f1', 'b/f1']);
        expect(await memos(store)).toEqual([`${NGINX}:1.26`, `${REDIS}:7`, `${MIRROR}:7`, 'LONG:v1']);
      });

      it('tells every instance what was flushed, with the digest of a flushed tag', async () => {
        const store = await seeded();
        const peer = await h.peer(store);
        await peer.listen();
        const events: FlushEvent[] = [];
        const received = new Promise<void>((resolve) => {
          const stop = peer.onFlush((event) => {
            events.push(event);
            if (events.length === 2) {
              stop();
              resolve();
            }
          });
        });
        await store.flush({ kind: 'tag', repository: NGINX, tag: '1.27' });
        await store.flush({ kind: 'repository', repository: REDIS });
        await received;
        // Order is not promised: in Redis Cluster two PUBLISHes may travel through different nodes.
        expect(events).toHaveLength(2);
        expect(events).toEqual(
          expect.arrayContaining([
            { filter: { kind: 'tag', repository: NGINX, tag: '1.27' }, digest: A },
            { filter: { kind: 'repository', repository: REDIS } },
          ]),
        );
      });

      it('gives every key a TTL', async () => {
        const store = await seeded();
        expect(await h.keysWithoutTtl(store)).toEqual([]);
      });
    });

    describe('ping and close', () => {
      it('answers ping while open and not after close; close twice is fine', async () => {
        const store = await h.create(LIFETIMES);
        expect(await store.ping()).toBe(true);
        await store.close();
        expect(await store.ping()).toBe(false);
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
