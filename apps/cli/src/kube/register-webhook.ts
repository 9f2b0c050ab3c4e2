import type { KubeClient } from './kube-client';
import { KubeApiError } from './kube-client';
import type { ValidatingWebhookConfiguration } from './validating-webhook-configuration';

export type RegisterOutcome = 'created' | 'updated' | 'unchanged';

const COLLECTION = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
/** A concurrent writer may bump resourceVersion between GET and PUT: read again, a few times. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Creates or updates the configuration, idempotently: GET; 404 → POST (201); found and already
 * holding every field we set → nothing; else PUT with the resourceVersion read.
 */
export async function registerWebhookConfiguration(
  client: KubeClient,
  desired: ValidatingWebhookConfiguration,
): Promise<RegisterOutcome> {
  const path = `${COLLECTION}/${encodeURIComponent(desired.metadata.name)}`;
  for (let attempt = 1; ; attempt += 1) {
    const existing = await client.getIfExists(path);
    if (existing === undefined) {
      const created = await client.request('POST', COLLECTION, desired);
      if (created.status === 201) return 'created';
      if (created.status === 409 && attempt < CONFLICT_ATTEMPTS) continue; // created meanwhile
      throw new KubeApiError('POST', COLLECTION, created.status, created.body);
    }
    const current = asRecord(existing);
    const metadata = asRecord(current['metadata']);
    const wanted = { metadata: { labels: desired.metadata.labels }, webhooks: desired.webhooks };
    if (contains(current, wanted)) return 'unchanged';
    const replacement = {
      ...desired,
      metadata: {
        ...metadata,
        labels: { ...asRecord(metadata['labels']), ...desired.metadata.labels },
        name: desired.metadata.name,
      },
    };
    const updated = await client.request('PUT', path, replacement);
    if (updated.status === 200) return 'updated';
    if (updated.status === 409 && attempt < CONFLICT_ATTEMPTS) continue;
    throw new KubeApiError('PUT', path, updated.status, updated.body);
  }
}

/**
 * Whether `actual` holds every value of `expected` (objects: a subset, extra keys the server added
 * such as defaults are ignored; arrays: same length, element by element). An empty expected object
 * (`namespaceSelector: {}`) needs an empty actual one: "match all" must replace a narrower selector.
 */
export function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, index) => contains(actual[index], item))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const record = actual as Record<string, unknown>;
    if (Object.keys(expected).length === 0) return Object.keys(record).length === 0;
    return Object.entries(expected as Record<string, unknown>).every(([key, value]) => contains(record[key], value));
  }
  return actual === expected;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
