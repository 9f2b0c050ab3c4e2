import type { RedisConfig } from '@scangate/config';
import {
  closeConnection,
  connectionReady,
  createRedisConnection,
  MAX_RECONNECT_DELAY_MS,
  type RedisConnection,
  RedisVerdictStore,
} from '@scangate/verdicts';
import { startRedis, startRedisSentinel, type TestRedis } from './harness/redis-server';
import { standaloneConfig } from './harness/redis-store-harness';

// createRedisConnection's roles against a real redis-server: the hot path fails within about
// redis.commandTimeoutMs when Redis is stopped or hangs (ioredis defaults would stall ~10 s),
// and every role comes back by itself when Redis restarts on the same port.

let redis: TestRedis;
let config: RedisConfig;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await startRedis();
  config = standaloneConfig(redis.url);
});
afterEach(async () => {
  redis.resume();
  if (!redis.running) await redis.restart();
  await Promise.all(
    connections.splice(0).map(async (c) => connectionReady(c, 10_000).finally(() => closeConnection(c, 1000))),
  );
});
afterAll(async () => {
  await redis?.dispose();
});

async function connect(role: 'hot-path' | 'queue' | 'subscriber', redisConfig = config): Promise<RedisConnection> {
  const connection = createRedisConnection(redisConfig, role);
  connections.push(connection);
  await connectionReady(connection, 10_000);
  return connection;
}

/** How long `promise` takes to settle, and whether it rejected. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error?: Error }> {
  const started = performance.now();
  try {
    await promise;
    return { ms: performance.now() - started };
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error };
  }
}

/** Polls a PING until it answers (reconnect after a restart), bounded. */
async function reconnectTime(connection: RedisConnection): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      if ((await connection.ping()) === 'PONG') return performance.now() - started;
    } catch {
      // not yet
    }
    if (performance.now() - started > 10_000) throw new Error('no reconnect within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('hot-path connection', () => {
  it('fails a command at once when Redis is stopped (no offline queue), well within commandTimeoutMs', async () => {
    const connection = await connect('hot-path');
    await redis.stop();
    const { ms, error } = await timed(connection.get('{scangate}:v:x'));
    expect(error).toBeInstanceOf(Error);
    expect(ms).toBeLessThan(config.commandTimeoutMs + 50);
  });

  it('fails a command after commandTimeoutMs when Redis hangs (SIGSTOP), and works again when it resumes', async () => {
    const connection = await connect('hot-path', { ...config, commandTimeoutMs: 150 });
    redis.pause();
    const { ms, error } = await timed(connection.get('{scangate}:v:x'));
    expect(error?.message).toMatch(/timed out/i);
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(150 + 150);
    redis.resume();
    expect(await connection.ping()).toBe('PONG');
  });

  it('reconnects by itself after a restart on the same port, within the capped backoff', async () => {
    const connection = await connect('hot-path');
    await redis.stop();
    await expect(connection.ping()).rejects.toThrow();
    await redis.restart();
    expect(await reconnectTime(connection)).toBeLessThan(MAX_RECONNECT_DELAY_MS + 1000);
    await connection.set('{scangate}:t:x', 'y', 'PX', 1000);
    expect(await connection.get('{scangate}:t:x')).toBe('y');
  });
});

describe('queue connection (BullMQ)', () => {
  it('keeps a command issued while Redis is down and runs it after the restart', async () => {
    const connection = await connect('queue');
    expect(connection.options).toMatchObject({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    await redis.stop();
    const pending = connection.set('{scangate}:q', 'kept', 'PX', 10_000);
    await redis.restart();
    expect(await pending).toBe('OK');
    expect(await connection.get('{scangate}:q')).toBe('kept');
  });
});

describe('subscriber connection', () => {
  it('is subscribed again after Redis restarts', async () => {
    const subscriber = await connect('subscriber');
    const publisher = await connect('hot-path');
    await subscriber.subscribe('{scangate}:events');
    await redis.stop();
    const resubscribed = new Promise<void>((resolve) => subscriber.once('ready', () => resolve()));
    await redis.restart();
    await resubscribed;
    await reconnectTime(publisher);
    const received = new Promise<string>((resolve) =>
      subscriber.once('message', (_channel: string, message: string) => resolve(message)),
    );
    // ready fires before the SUBSCRIBE is replayed: publish until the replayed subscription counts.
    let receivers = 0;
    for (let attempt = 0; attempt < 100 && receivers === 0; attempt += 1) {
      receivers = await publisher.publish('{scangate}:events', 'after restart');
      if (receivers === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(receivers).toBe(1);
    expect(await received).toBe('after restart');
  });
});

describe('Sentinel', () => {
  let sentinel: TestRedis | undefined;
  afterAll(async () => {
    await sentinel?.dispose();
  });

  it('finds the master through the sentinels, and the verdict store works through it', async () => {
    sentinel = await startRedisSentinel(redis, 'mymaster');
    const sentinelConfig: RedisConfig = {
      mode: 'sentinel',
      sentinels: [`127.0.0.1:${sentinel.port}`],
      sentinelName: 'mymaster',
      prefix: 'sentinel-test',
      commandTimeoutMs: 200,
    };
    const connection = await connect('hot-path', sentinelConfig);
    const store = new RedisVerdictStore({
      connection,
      subscriber: () => createRedisConnection(sentinelConfig, 'subscriber'),
      prefix: sentinelConfig.prefix,
      lifetimes: { allowTTL: 300, denyTTL: 30, tagTTL: 60, errorBackoffMs: 500 },
    });
    await store.listen();
    const subject = { reference: 'docker.io/library/nginx:1.27', analyzer: 'clair', fingerprint: 'f1' };
    const waiting = store.waitForOutcome(subject, Date.now() + 5000);
    await store.putTagDigest(subject.reference, `sha256:${'a'.repeat(64)}`);
    await store.publishOutcome(subject, { kind: 'failed', reason: 'test' });
    expect(await waiting).toEqual({ kind: 'failed', reason: 'test' });
    expect(await redis.client().get('{sentinel-test}:t:docker.io/library/nginx:1.27')).toContain('sha256:aaaa');
    connections.splice(connections.indexOf(connection), 1);
    await store.close();
  });
});
