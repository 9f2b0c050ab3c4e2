import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureReview, kubeObject, withoutEphemeralContainers } from '../fixtures/kube';
import { setAtPath } from './json-path';
import type { SpawnedWorker } from './worker-process';
import { spawnWorker } from './worker-process';
import { TestAnalyzer, TestResolver } from './test-analyzer';
import type { TestWebhook } from './webhook-harness';
import { loadServingConfig, startTestWebhook, tempDir } from './webhook-harness';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

export interface AdmissionAnswer {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

/**
 * The whole scangate stack for an end-to-end test: the real HTTPS webhook with its admin
 * listener, and (with Redis) a separate `scangate worker`-equivalent process running the test
 * analyzer, both from one config file.
 */
export class ScangateStack {
  private constructor(
    readonly webhook: TestWebhook,
    readonly configFile: string,
    readonly callLog: string,
    readonly workers: SpawnedWorker[],
  ) {}

  static async start(settings: Record<string, unknown>, options: { workers?: number } = {}): Promise<ScangateStack> {
    const { loaded, tlsCA } = await loadServingConfig({ admin: { token: ADMIN_TOKEN }, ...settings });
    const webhook = await startTestWebhook({
      loaded,
      tlsCA,
      analyzer: new TestAnalyzer(),
      resolver: new TestResolver(),
    });
    const callLog = join(tempDir('calls'), 'calls.jsonl');
    const stack = new ScangateStack(webhook, loaded.file ?? '', callLog, []);
    for (let i = 0; i < (options.workers ?? 0); i++) await stack.addWorker();
    return stack;
  }

  async addWorker(options: { metricsPort?: number } = {}): Promise<SpawnedWorker> {
    const worker = spawnWorker(this.configFile, this.callLog, options);
    this.workers.push(worker);
    await worker.ready;
    return worker;
  }

  /** Posts a Pod using `image` and returns the AdmissionReview response. */
  async admit(image: string, options: { dryRun?: boolean; uid?: string } = {}): Promise<AdmissionAnswer> {
    const pod = withoutEphemeralContainers(kubeObject('pod'));
    const spec = pod['spec'] as Record<string, unknown>;
    spec['initContainers'] = [];
    spec['volumes'] = [];
    spec['containers'] = [{ name: 'app', image }];
    setAtPath(pod, 'spec.containers[0].image', image);
    const review = fixtureReview('pod', {
      object: pod,
      operation: 'CREATE',
      subResource: undefined,
      ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
    });
    const res = await this.webhook.client.post('/validate', review);
    if (res.status !== 200) throw new Error(`validate answered ${res.status}: ${res.text}`);
    return res.json<{ response: AdmissionAnswer }>().response;
  }

  /** Analyzer calls made by the worker processes, optionally for one digest. */
  calls(digest?: string): { digest: string; reference: string; pid: number }[] {
    let text = '';
    try {
      text = readFileSync(this.callLog, 'utf8');
    } catch {
      return [];
    }
    const calls = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { digest: string; reference: string; pid: number });
    return digest === undefined ? calls : calls.filter((c) => c.digest === digest);
  }

  async admin(
    method: string,
    path: string,
    options: { token?: string | null; body?: unknown } = {},
  ): Promise<{ status: number; body: any }> {
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    const response = await fetch(new URL(path, `http://127.0.0.1:${this.webhook.webhook.adminPort}`), {
      method,
      headers: {
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  }

  /** The value of one Prometheus sample (0 when absent). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { body } = await this.admin('GET', '/metrics', { token: null });
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of String(body).split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return 0;
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) {
      worker.kill('SIGTERM');
      await worker.exited;
    }
    await this.webhook.stop();
  }
}

/** Polls `check` until it returns a value other than undefined, or fails at the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
