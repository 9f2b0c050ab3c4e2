import type { RedisConfig } from '@scangate/config';
import { Cluster, Redis } from 'ioredis';
import { createRedisConnection, MAX_RECONNECT_DELAY_MS, parseHostPort, reconnectDelay } from './redis-connection';

// Options per role, read from lazily created (never connected) clients. The behaviour against a
// real server (fail fast, recover, resubscribe, Sentinel): test/verdict-store-connections.spec.ts.
const standalone: RedisConfig = {
  mode: 'standalone',
  url: 'redis://:pw@redis.example:6380/2',
  prefix: 'sg',
  commandTimeoutMs: 150,
};

describe('createRedisConnection', () => {
  const made: Array<Redis | Cluster> = [];
  afterEach(() => made.splice(0).forEach((c) => c.disconnect()));
  const make = (redis: RedisConfig, role: 'hot-path' | 'queue' | 'subscriber') => {
    const connection = createRedisConnection(redis, role, { lazyConnect: true });
    made.push(connection);
    return connection;
  };

  it('hot path: short command timeout, no offline queue, no retries', () => {
    const connection = make(standalone, 'hot-path') as Redis;
    expect(connection.options).toMatchObject({
      host: 'redis.example',
      port: 6380,
      db: 2,
      password: 'pw',
      commandTimeout: 150,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectionName: 'scangate-hot-path',
    });
  });

  it('queue: what BullMQ requires', () => {
    expect((make(standalone, 'queue') as Redis).options).toMatchObject({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    expect((make(standalone, 'queue') as Redis).options.commandTimeout).toBeUndefined();
  });

  it('subscriber: resubscribes and queues while reconnecting', () => {
    expect((make(standalone, 'subscriber') as Redis).options).toMatchObject({
      autoResubscribe: true,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
  });

  it('rediss:// turns TLS on', () => {
    expect((make({ ...standalone, url: 'rediss://redis.example' }, 'hot-path') as Redis).options.tls).toBeTruthy();
  });

  it('Sentinel: the sentinels and the master name', () => {
    const connection = make(
      {
        mode: 'sentinel',
        sentinels: ['s-0', 's-1:26380', '[::1]:26381'],
        sentinelName: 'mymaster',
        prefix: 'sg',
        commandTimeoutMs: 200,
      },
      'hot-path',
    ) as Redis;
    expect(connection.options).toMatchObject({
      name: 'mymaster',
      sentinels: [
        { host: 's-0', port: 26379 },
        { host: 's-1', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      commandTimeout: 200,
      enableOfflineQueue: false,
    });
  });

  it('Cluster: the seeds, the role options on every node, the offline queue on the cluster', () => {
    const connection = make(
      { mode: 'cluster', cluster: ['r-0:7000', 'r-1'], prefix: 'sg', commandTimeoutMs: 200 },
      'hot-path',
    );
    expect(connection).toBeInstanceOf(Cluster);
    const cluster = connection as Cluster;
    expect(cluster.options.enableOfflineQueue).toBe(false);
    expect(cluster.options.redisOptions).toMatchObject({ commandTimeout: 200, maxRetriesPerRequest: 0 });
    const queue = make(
      { mode: 'cluster', cluster: ['r-0:7000'], prefix: 'sg', commandTimeoutMs: 200 },
      'queue',
    ) as Cluster;
    expect(queue.options.enableOfflineQueue).toBe(true);
    expect(queue.options.redisOptions).toMatchObject({ maxRetriesPerRequest: null });
  });
});

describe('reconnectDelay', () => {
  it('retries fast first, then at most MAX_RECONNECT_DELAY_MS apart', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(reconnectDelay)).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect(MAX_RECONNECT_DELAY_MS).toBe(1000);
  });
});

describe('parseHostPort', () => {
  it.each([
    ['redis', 6379, { host: 'redis', port: 6379 }],
    ['redis:7000', 6379, { host: 'redis', port: 7000 }],
    ['[::1]', 26379, { host: '::1', port: 26379 }],
    ['[fd00::1]:7001', 6379, { host: 'fd00::1', port: 7001 }],
  ])('%s', (text, port, expected) => {
    expect(parseHostPort(text, port)).toEqual(expected);
  });
});
