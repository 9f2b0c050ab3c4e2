export * from './verdict.types';
export * from './verdict-store.port';
export { subjectKey } from './subject-key';
export { hashTaggedPrefix, MAX_READABLE_REFERENCE, VerdictKeys } from './verdict-keys';
export { digestOf, repositoryOf } from './verdict-filter';
export { type StoreLifetimes, verdictExpiry } from './lifetimes';
export { DEFAULT_MEMORY_MAX_ENTRIES, MemoryVerdictStore, type MemoryVerdictStoreOptions } from './memory-verdict-store';
export { RedisVerdictStore, type RedisVerdictStoreOptions } from './redis-verdict-store';
export { CachingVerdictStore, type CachingVerdictStoreOptions, type L1Stats } from './caching-verdict-store';
export {
  closeConnection,
  connectionReady,
  createRedisConnection,
  MAX_RECONNECT_DELAY_MS,
  parseHostPort,
  reconnectDelay,
  type RedisConnection,
  type RedisConnectionOptions,
  type RedisRole,
} from './redis-connection';
