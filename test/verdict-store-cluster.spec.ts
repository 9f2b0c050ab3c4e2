import { ANALYSIS_QUEUE_NAME, analysisQueuePrefix } from '@scangate/queue';
import { closeConnection, connectionReady, createRedisConnection, type Verdict } from '@scangate/verdicts';
import type { Cluster } from 'ioredis';
import { startRedisCluster, type TestRedisCluster } from './harness/redis-server';
import { clusterConfig, keysUnder, openRedisStore, redisContractHarness } from './harness/redis-store-harness';
import { verdictStoreContract } from './verdict-store.contract';

// The contract against a real 3-master Redis Cluster on loopback: every key of a store shares
// the prefix's hash tag (one slot), SCAN goes to the master owning it, pub/sub crosses nodes.
let cluster: TestRedisCluster | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

verdictStoreContract('Redis Cluster (3 masters)', () =>
  redisContractHarness(() => {
    if (!cluster) throw new Error('the Redis Cluster did not start');
    return clusterConfig(cluster.addresses);
  }),
);

describe('Redis Cluster key placement', () => {
  it("keeps a prefix's keys and BullMQ's in one slot, on one master, the only one scanned", async () => {
    if (!cluster) throw new Error('the Redis Cluster did not start');
    const config = clusterConfig(cluster.addresses, 'placement');
    const store = await openRedisStore(config, { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500 });
    const inspector = createRedisConnection(config, 'queue');
    try {
      await connectionReady(inspector, 10_000);
      const digest = `sha256:${'9'.repeat(64)}`;
      const verdict: Omit<Verdict, 'expiresAt'> = {
        digest,
        analyzer: 'clair',
        fingerprint: 'f1',
        allowed: true,
        repositories: ['docker.io/library/nginx'],
        analyzedAt: Date.now(),
      };
      await store.putVerdict(verdict);
      await store.putTagDigest('docker.io/library/nginx:1.27', digest);
      await store.putFailure({ reference: 'docker.io/library/nginx:bad', analyzer: 'clair', fingerprint: 'f1' }, 'x');

      const cli = inspector as Cluster;
      const keys = await keysUnder(inspector, store.keys.base);
      expect(keys).toHaveLength(3);
      // BullMQ's keys: `<prefix>:<queue>:<suffix>`, with the queue contract's prefix.
      const bullKeys = ['wait', 'id', 'events'].map(
        (s) => `${analysisQueuePrefix(config)}:${ANALYSIS_QUEUE_NAME}:${s}`,
      );
      const slots = new Set(await Promise.all([...keys, ...bullKeys].map((k) => cli.cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);

      // Only the master owning the slot holds the keys, and only it is scanned.
      const masters = cli.nodes('master');
      const holders = await Promise.all(masters.map(async (node) => (await keysUnder(node, store.keys.base)).length));
      expect(holders.filter((count) => count > 0)).toEqual([3]);
      await Promise.all(masters.map((node) => node.config('RESETSTAT')));
      expect(await store.listVerdicts({ kind: 'all' }, 10)).toHaveLength(1);
      const scanCalls = async (node: (typeof masters)[number]): Promise<string> =>
        /cmdstat_scan:calls=(\d+)/.exec(await node.info('commandstats'))?.[1] ?? '0';
      const scans = await Promise.all(masters.map(scanCalls));
      expect(scans.filter((calls) => calls !== '0')).toHaveLength(1);
      expect(scans[holders.findIndex((count) => count > 0)]).not.toBe('0');
    } finally {
      await store.close();
      await closeConnection(inspector, 1000);
    }
  });
});
