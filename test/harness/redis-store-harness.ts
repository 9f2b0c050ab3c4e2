import type { RedisConfig } from '@scangate/config';
import {
  closeConnection,
  connectionReady,
  createRedisConnection,
  type RedisConnection,
  RedisVerdictStore,
  type StoreLifetimes,
} from '@scangate/verdicts';
import type { Redis } from 'ioredis';
import type { ContractHarness, ContractStore } from '../verdict-store.contract';

/** Redis settings for a test: standalone at `url`, or a Cluster from its seed addresses. */
export function standaloneConfig(url: string, prefix = 'scangate'): RedisConfig {
  return { mode: 'standalone', url, prefix, commandTimeoutMs: 200 };
}

export function clusterConfig(addresses: readonly string[], prefix = 'scangate'): RedisConfig {
  return { mode: 'cluster', cluster: [...addresses], prefix, commandTimeoutMs: 200 };
}

/** A RedisVerdictStore on fresh hot-path and subscriber connections, once the first is ready. */
export async function openRedisStore(redis: RedisConfig, lifetimes: StoreLifetimes): Promise<RedisVerdictStore> {
  const connection = createRedisConnection(redis, 'hot-path');
  await connectionReady(connection, 10_000);
  return new RedisVerdictStore({
    connection,
    subscriber: () => createRedisConnection(redis, 'subscriber'),
    prefix: redis.prefix,
    lifetimes,
  });
}

/** Every key under the store's prefix (SCAN on each master), for TTL checks. */
export async function keysUnder(client: RedisConnection, base: string): Promise<string[]> {
  const nodes: Redis[] = client.isCluster
    ? (client as Exclude<RedisConnection, Redis>).nodes('master')
    : [client as Redis];
  const keys: string[] = [];
  const pattern = `${base.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}

/**
 * The contract harness over a real Redis (standalone or Cluster): each store gets its own
 * prefix, so tests never see each other's keys; time is real.
 */
export function redisContractHarness(config: () => RedisConfig): ContractHarness {
  const stores: RedisVerdictStore[] = [];
  const lifetimesOf = new WeakMap<ContractStore, StoreLifetimes>();
  const prefixOf = new WeakMap<ContractStore, string>();
  let inspector: RedisConnection | undefined;
  let counter = 0;
  const client = async (): Promise<RedisConnection> => {
    if (!inspector) {
      inspector = createRedisConnection(config(), 'queue');
      await connectionReady(inspector, 10_000);
    }
    return inspector;
  };
  const open = async (prefix: string, lifetimes: StoreLifetimes): Promise<RedisVerdictStore> => {
    const store = await openRedisStore({ ...config(), prefix }, lifetimes);
    stores.push(store);
    lifetimesOf.set(store, lifetimes);
    prefixOf.set(store, prefix);
    return store;
  };
  return {
    create(lifetimes) {
      counter += 1;
      return open(`sg-${process.pid}-${counter}`, lifetimes);
    },
    peer(store) {
      const prefix = prefixOf.get(store);
      const lifetimes = lifetimesOf.get(store);
      if (prefix === undefined || lifetimes === undefined) throw new Error('not a store of this harness');
      return open(prefix, lifetimes);
    },
    async pttl(_store, key) {
      return (await client()).pttl(key);
    },
    async keysWithoutTtl(store) {
      const redis = await client();
      const keys = await keysUnder(redis, store.keys.base);
      if (keys.length === 0) throw new Error('the store wrote no keys');
      const missing: string[] = [];
      for (const key of keys) if ((await redis.pttl(key)) < 0) missing.push(key);
      return missing;
    },
    now: () => Date.now(),
    // Real time: only where Redis's own expiry is what the test checks.
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async closeAll() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    },
    async dispose() {
      if (inspector) await closeConnection(inspector, 1000);
      inspector = undefined;
    },
  };
}
