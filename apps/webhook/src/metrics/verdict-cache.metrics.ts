import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** Hot-path cache metrics, defined once. `stale` counts answers served from L1 while Redis failed. */
export class VerdictCacheMetrics {
  readonly lookups: Counter<'result'>;
  readonly pendingImages: Gauge;

  constructor(registry: Registry) {
    this.lookups = new Counter({
      name: 'scangate_verdict_cache_total',
      help: 'Verdict lookups on the admission path, by result (hit, miss, stale)',
      labelNames: ['result'],
      registers: [registry],
    });
    this.pendingImages = new Gauge({
      name: 'scangate_pending_images',
      help: 'Images an admission is currently waiting on',
      registers: [registry],
    });
  }
}
