import { IntKey, ListKey, StringKey } from '../config-key.decorators';
import { hostPort, noSpaces, redisUrl } from '../formats';

/**
 * Present: verdicts, tag memos and the analysis queue live in Redis. Absent: in-memory (embedded).
 * Exactly one of `url` (standalone), `sentinels` (+ `sentinelName`) or `cluster` says where
 * (checked in config-rules.ts).
 */
export class RedisSchema {
  @StringKey('Redis URL of a standalone server; credentials may be inline (redis://:password@host:6379/0).', {
    optional: true,
    format: redisUrl,
  })
  url?: string;

  @ListKey('Sentinel addresses (port 26379 when omitted); the master is found through them. Needs sentinelName.', {
    optional: true,
    format: hostPort,
  })
  sentinels?: string[];

  @StringKey('Master set name the sentinels monitor (e.g. mymaster); only with sentinels.', {
    optional: true,
    format: noSpaces,
  })
  sentinelName?: string;

  @ListKey('Redis Cluster seed nodes (port 6379 when omitted); the rest of the cluster is discovered.', {
    optional: true,
    format: hostPort,
  })
  cluster?: string[];

  @StringKey(
    'Prefix of every Redis key and of the BullMQ queue; wrapped in {braces} (a Cluster hash tag) unless it has them.',
    { format: noSpaces },
  )
  prefix = 'scangate';

  @IntKey(
    'Milliseconds a Redis command on the admission path may take before it fails ' +
      '(then the in-process cache, else onError, answers).',
    { min: 1, max: 5000 },
  )
  commandTimeoutMs = 200;
}
