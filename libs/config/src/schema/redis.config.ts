import { StringKey } from '../config-key.decorators';
import { noSpaces, redisUrl } from '../formats';

/** Present: verdicts, tag memos and the analysis queue live in Redis. Absent: in-memory (embedded). */
export class RedisSchema {
  @StringKey('Redis URL; credentials may be inline (redis://:password@host:6379/0).', {
    required: true,
    format: redisUrl,
  })
  url?: string;

  @StringKey('Prefix of every Redis key and of the BullMQ queue (use {braces} for Redis Cluster hash tags).', {
    format: noSpaces,
  })
  prefix = 'scangate';
}
