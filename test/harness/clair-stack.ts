import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureReview, kubeObject, withoutEphemeralContainers } from '../fixtures/kube';
import { REPO_ROOT } from './cli';
import type { TestClair } from './clair';
import type { TestRegistry } from './docker-registry';
import type { AdmissionAnswer } from './scangate-stack';
import type { TestWebhook } from './webhook-harness';
import { loadServingConfig, startTestWebhook } from './webhook-harness';

export const CLAIR_ADMIN_TOKEN = 'clair-e2e-admin-token-0123456789';
export const NOTIFIER_HEADER = 'X-Scangate-Notifier-Token';
export const NOTIFIER_TOKEN = 'clair-notifier-secret-0123456789';

const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js');

/** A `scangate worker --config F` process (the built CLI). */
export interface CliWorker {
  readonly process: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * scangate in front of a real Clair: the HTTPS webhook with its admin listener and the Clair
 * adapter that `analyzer.type: clair` builds. Without `redis` in the settings it analyses in
 * process (embedded); with it, `startWorker` runs the real `scangate worker` CLI on the same file.
 */
export class ClairStack {
  private readonly workers: CliWorker[] = [];

  private constructor(
    readonly webhook: TestWebhook,
    readonly configFile: string | undefined,
  ) {}

  static async start(
    clair: TestClair,
    registry: TestRegistry,
    settings: Record<string, unknown> = {},
  ): Promise<ClairStack> {
    const { loaded, tlsCA } = await loadServingConfig({
      admin: { token: CLAIR_ADMIN_TOKEN },
      registries: {
        insecure: [registry.host],
        allowPrivateNetworks: false,
        privateHosts: [registry.host],
        platforms: ['linux/amd64'],
      },
      analyzer: {
        type: 'clair',
        pollIntervalMs: 200,
        retries: 0,
        requestTimeoutMs: 2000,
        breaker: { failureThreshold: 2, openMs: 2000 },
        clair: {
          url: clair.url,
          psk: clair.psk,
          issuer: clair.issuer,
          notifier: { header: NOTIFIER_HEADER, token: NOTIFIER_TOKEN },
        },
      },
      ...settings,
    });
    return new ClairStack(await startTestWebhook({ loaded, tlsCA }), loaded.file);
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
  async admin(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<{ status: number; body: unknown }> {
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

  /** Starts `scangate worker --config <the stack's file>`; resolves once it consumes jobs. */
  async startWorker(env: Record<string, string> = {}): Promise<CliWorker> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -b" (pnpm test does it first)`);
    const file = this.configFile;
    if (!file) throw new Error('the stack has no config file');
    const child = spawn(process.execPath, [CLI, 'worker', '--config', file], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`scangate worker not consuming after 30 s:\n${stderr}`)), 30_000);
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-20_000);
        if (stderr.includes('scangate worker consuming analysis jobs')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`scangate worker exited before consuming:\n${stderr}`));
      });
    });
    const worker: CliWorker = {
      process: child,
      stderr: () => stderr,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      },
    };
    this.workers.push(worker);
    return worker;
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) await worker.stop();
    await this.webhook.stop();
  }
}
