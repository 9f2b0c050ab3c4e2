import type { RedisConfig } from '@scangate/config';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A standalone or Sentinel-managed server, or a Cluster: what ioredis gives back for each mode. */
export type RedisConnection = Redis | Cluster;

/**
 * - `hot-path`: admission lookups. Commands fail after `redis.commandTimeoutMs` (PRODUCT.md §7:
 *   100–250 ms) and at once while disconnected (no offline queue, no retries), instead of the
 *   ~10 s ioredis defaults stall for; the connection reconnects by itself with a capped backoff.
 * - `queue`: what BullMQ requires (`maxRetriesPerRequest: null`, offline queue on): commands
 *   wait for a reconnect. Bound them yourself where a caller has a budget.
 * - `subscriber`: pub/sub; subscriptions are restored after a reconnect.
 */
export type RedisRole = 'hot-path' | 'queue' | 'subscriber';

export interface RedisConnectionOptions {
  /** Connection errors (refused, reset, timeouts). Commands report theirs on their promise. */
  readonly onError?: (error: Error) => void;
  /** Do not connect until the first command (or `connect()`). */
  readonly lazyConnect?: boolean;
}

/** Longest wait between reconnect attempts. */
export const MAX_RECONNECT_DELAY_MS = 1000;

/** 50, 100, 200, 400, 800, 1000, 1000, … ms: fast first retries, then at most a second apart. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(Math.max(attempt - 1, 0), 10), MAX_RECONNECT_DELAY_MS);
}

/** `host`, `host:port` or `[v6]:port` (the `hostPort` config format) with a default port. */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const port = text.slice(close + 1).replace(/^:/, '');
    return { host: text.slice(1, close), port: port === '' ? defaultPort : Number(port) };
  }
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: text, port: defaultPort };
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}

function roleOptions(redis: RedisConfig, role: RedisRole): RedisOptions {
  const common: RedisOptions = {
    connectionName: `scangate-${role}`,
    retryStrategy: reconnectDelay,
    // A new connection (or a reconnect) that hangs is abandoned and retried.
    connectTimeout: Math.max(1000, redis.commandTimeoutMs * 5),
  };
  switch (role) {
    case 'hot-path':
      return {
        ...common,
        commandTimeout: redis.commandTimeoutMs,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResubscribe: false,
      };
    case 'queue':
      return { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
    case 'subscriber':
      return { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true };
  }
}

/**
 * One ioredis connection for `role`, in the mode `redis` names: standalone (`redis://`,
 * `rediss://` for TLS), Sentinel (`sentinels` + `sentinelName`) or Cluster (`cluster` seeds).
 * It connects at once (unless `lazyConnect`); `connectionReady` waits for that.
 */
export function createRedisConnection(
  redis: RedisConfig,
  role: RedisRole,
  options: RedisConnectionOptions = {},
): RedisConnection {
  const base = { ...roleOptions(redis, role), ...(options.lazyConnect ? { lazyConnect: true } : {}) };
  let connection: RedisConnection;
  switch (redis.mode) {
    case 'standalone':
      connection = new Redis(redis.url, base);
      break;
    case 'sentinel':
      connection = new Redis({
        ...base,
        sentinels: redis.sentinels.map((entry) => parseHostPort(entry, 26379)),
        name: redis.sentinelName,
        sentinelRetryStrategy: reconnectDelay,
      });
      break;
    case 'cluster': {
      const { retryStrategy: _retry, enableOfflineQueue, lazyConnect, ...redisOptions } = base;
      const clusterOptions: ClusterOptions = {
        redisOptions,
        clusterRetryStrategy: reconnectDelay,
        ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
        ...(lazyConnect ? { lazyConnect } : {}),
        slotsRefreshTimeout: Math.max(1000, redis.commandTimeoutMs * 5),
        // Hot path: a cluster that is down fails commands now; nothing waits for it to come back.
        ...(role === 'hot-path' ? { retryDelayOnClusterDown: 0, retryDelayOnTryAgain: 0, maxRedirections: 3 } : {}),
      };
      connection = new Cluster(
        redis.cluster.map((entry) => parseHostPort(entry, 6379)),
        clusterOptions,
      );
      break;
    }
  }
  // Without a listener ioredis prints every reconnect failure; commands still reject on their own.
  connection.on('error', options.onError ?? (() => undefined));
  return connection;
}

/** Resolves when the connection is ready for commands; rejects after `timeoutMs`. */
export function connectionReady(connection: RedisConnection, timeoutMs: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms (status ${connection.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    connection.once('ready', onReady);
  });
}

/** Quits gracefully within `timeoutMs`, else drops the connection. Never rejects. */
export async function closeConnection(connection: RedisConnection, timeoutMs: number): Promise<void> {
  if (connection.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([
      connection.quit().then(
        () => undefined,
        () => undefined,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    // After a clean QUIT the socket is closed; disconnect() then would leave a 2 s timer behind.
    if ((connection.status as string) !== 'end') connection.disconnect();
  }
}
