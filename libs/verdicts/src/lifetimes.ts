import type { CacheConfig } from '@scangate/config';
import type { Verdict } from './verdict.types';

/** The `cache` keys a store needs: seconds for verdicts and memos, milliseconds for failures. */
export type StoreLifetimes = Pick<CacheConfig, 'allowTTL' | 'denyTTL' | 'tagTTL' | 'errorBackoffMs'>;

/** Epoch ms a verdict stops being served: analyzedAt + allowTTL or denyTTL. */
export function verdictExpiry(lifetimes: StoreLifetimes, verdict: Pick<Verdict, 'allowed' | 'analyzedAt'>): number {
  return verdict.analyzedAt + (verdict.allowed ? lifetimes.allowTTL : lifetimes.denyTTL) * 1000;
}
