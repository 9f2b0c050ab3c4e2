import { startRedis, type TestRedis } from './harness/redis-server';
import { redisContractHarness, standaloneConfig } from './harness/redis-store-harness';
import { verdictStoreContract } from './verdict-store.contract';

// The contract against a real redis-server (standalone) on a free loopback port.
let redis: TestRedis | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

verdictStoreContract('Redis standalone', () =>
  redisContractHarness(() => {
    if (!redis) throw new Error('redis-server did not start');
    return standaloneConfig(redis.url);
  }),
);
