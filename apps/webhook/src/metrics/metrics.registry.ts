import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, so the admission, cache and analysis metrics land on one `/metrics`. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scangate_process_' });
  return registry;
}
