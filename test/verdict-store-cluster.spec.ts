import { startRedisCluster, type TestRedisCluster } from './harness/redis-server';
import { clusterConfig, redisContractHarness } from './harness/redis-store-harness';
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
