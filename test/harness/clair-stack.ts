import { fixtureReview, kubeObject, withoutEphemeralContainers } from '../fixtures/kube';
import type { TestClair } from './clair';
import type { TestRegistry } from './docker-registry';
import type { AdmissionAnswer } from './scangate-stack';
import type { TestWebhook } from './webhook-harness';
import { loadServingConfig, startTestWebhook } from './webhook-harness';

export const CLAIR_ADMIN_TOKEN = 'clair-e2e-admin-token-0123456789';
export const NOTIFIER_HEADER = 'X-Scangate-Notifier-Token';
export const NOTIFIER_TOKEN = 'clair-notifier-secret-0123456789';

/**
 * scangate in front of a real Clair: the HTTPS webhook with its admin listener, analysing in
 * process (embedded queue and memory store) with the Clair adapter that `analyzer.type: clair`
 * builds, resolving images from a test registry.
 */
export class ClairStack {
  private constructor(readonly webhook: TestWebhook) {}

  static async start(clair: TestClair, registry: TestRegistry, settings: Record<string, unknown> = {}): Promise<ClairStack> {
    const { loaded, tlsCA } = await loadServingConfig({
      admin: { token: CLAIR_ADMIN_TOKEN },
      registries: { insecure: [registry.host], allowPrivateNetworks: false, privateHosts: [registry.host], platforms: ['linux/amd64'] },
      analyzer: {
        type: 'clair',
        pollIntervalMs: 200,
        clair: { url: clair.url, psk: clair.psk, issuer: clair.issuer, notifier: { header: NOTIFIER_HEADER, token: NOTIFIER_TOKEN } },
      },
      ...settings,
    });
    return new ClairStack(await startTestWebhook({ loaded, tlsCA }));
  }

  get adminUrl(): string {
    return `http://127.0.0.1:${this.webhook.webhook.adminPort}`;
  }

  /** Where Clair's notifier must POST. */
  get notifierTarget(): string {
    return `${this.adminUrl}/admin/v1/notifications/clair`;
  }

  /** Posts a Pod running `image` and returns the AdmissionReview response. */
  async admit(image: string): Promise<AdmissionAnswer> {
    const pod = withoutEphemeralContainers(kubeObject('pod'));
    const spec = pod['spec'] as Record<string, unknown>;
    spec['initContainers'] = [];
    spec['volumes'] = [];
    spec['containers'] = [{ name: 'app', image }];
    const review = fixtureReview('pod', { object: pod, operation: 'CREATE', subResource: undefined });
    const res = await this.webhook.client.post('/validate', review);
    if (res.status !== 200) throw new Error(`validate answered ${res.status}: ${res.text}`);
    return res.json<{ response: AdmissionAnswer }>().response;
  }

  /** A request to the admin listener; `headers` replace the bearer token when given. */
  async admin(method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
    const response = await fetch(new URL(path, this.adminUrl), {
      method,
      headers: {
        ...(options.headers ?? { authorization: `Bearer ${CLAIR_ADMIN_TOKEN}` }),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as unknown) : text };
  }

  /** The value of one Prometheus sample on the admin listener (0 when absent). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { body } = await this.admin('GET', '/metrics', { headers: {} });
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of String(body).split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return 0;
  }

  stop(): Promise<void> {
    return this.webhook.stop();
  }
}
