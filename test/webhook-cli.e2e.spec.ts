import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT, runCli, runCliAsync } from './harness/cli';
import type { KubeApiserver } from './harness/kube-apiserver';
import { startKubeApiserver } from './harness/kube-apiserver';
import { freePort } from './harness/local-host';
import { tempDir } from './harness/webhook-harness';

// Issue 7's acceptance: a real kube-apiserver calls `scangate serve` (a local process with a
// certificate from `scangate certs`) through the ValidatingWebhookConfiguration that
// `scangate webhook register --url` installed, and kubectl sees scangate's decisions.

const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js');
const WEBHOOK = 'images.scangate.io';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const PINNED = `docker.io/library/nginx@${DIGEST}`;
const DEADLINE_MS = 30_000;

async function eventually<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  let last: unknown;
  while (Date.now() < end) {
    last = await attempt();
    if (last !== undefined) return last as T;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${DEADLINE_MS} ms`);
}

const pod = (name: string, image: string, namespace = 'default'): string =>
  stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'app', image }] },
  });

const deployment = (name: string, image: string): string =>
  stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  });

/**
 * `apiserver_admission_webhook_rejection_count` of scangate's webhook, summed over operations:
 * `no_error` counts its denials, `calling_webhook_error` the refusals of failurePolicy Fail.
 */
function rejections(metrics: string, errorType: 'no_error' | 'calling_webhook_error'): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('apiserver_admission_webhook_rejection_count{'))
    .filter((line) => line.includes(`name="${WEBHOOK}"`) && line.includes(`error_type="${errorType}"`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

interface ServeProcess {
  readonly child: ChildProcess;
  logs(): { readonly [field: string]: unknown }[];
  stop(): Promise<void>;
}

/** `scangate serve --config F` as a process; resolves once it says it is serving. */
async function startServe(configFile: string): Promise<ServeProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "pnpm build" (pnpm test does it first)`);
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`scangate serve not serving after ${DEADLINE_MS} ms:\n${stderr}`)),
      DEADLINE_MS,
    );
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('scangate serving admission reviews on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`scangate serve exited:\n${stderr}`));
    });
  });
  return {
    child,
    logs: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { [field: string]: unknown }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

describe('scangate behind a real kube-apiserver (webhook register --url)', () => {
  const dir = tempDir('webhook-e2e');
  let kube: KubeApiserver | undefined;
  let serve: ServeProcess | undefined;
  let configFile: string;
  let registerFlags: string[];

  const kubectl = (args: readonly string[], input?: string): ReturnType<KubeApiserver['kubectl']> =>
    kube!.kubectl(args, input);
  const register = (...extra: string[]): ReturnType<typeof runCliAsync> =>
    runCliAsync(['webhook', 'register', ...registerFlags, ...extra, '--kubeconfig', kube!.kubeconfig]);

  beforeAll(async () => {
    const started = Date.now();
    kube = await startKubeApiserver();
    process.stdout.write(`kube-apiserver ready in ${Date.now() - started} ms\n`);

    const certs = runCli([
      'certs',
      '--service',
      'scangate',
      '--namespace',
      'scangate-system',
      '--out',
      join(dir, 'tls'),
      '--san',
      '127.0.0.1',
    ]);
    expect(certs).toMatchObject({ status: 0 });
    const port = await freePort();
    configFile = join(dir, 'scangate.yaml');
    writeFileSync(
      configFile,
      stringify({
        server: {
          host: '127.0.0.1',
          port,
          tls: { certFile: join(dir, 'tls', 'tls.crt'), keyFile: join(dir, 'tls', 'tls.key') },
        },
        admin: { port: await freePort(), token: 'e2e-admin-token-0123456789' },
        analyzer: { type: 'none' },
        admission: { waitBudgetMs: 2000 },
        policy: { tags: { denyLatest: true } },
        log: { level: 'info' },
      }),
    );
    serve = await startServe(configFile);
    registerFlags = [
      '--config',
      configFile,
      '--url',
      `https://127.0.0.1:${port}/validate`,
      '--ca-file',
      join(dir, 'tls', 'ca.crt'),
      '--exempt-namespace',
      'sandbox',
      '--timeout-seconds',
      '5',
    ];
  }, 150_000);

  afterAll(async () => {
    await serve?.stop();
    await kube?.stop();
  });

  it('registers the configuration once, and a second run changes nothing', async () => {
    expect(await register()).toMatchObject({ status: 0, stdout: 'validatingwebhookconfiguration/scangate created\n' });
    expect(await register()).toMatchObject({
      status: 0,
      stdout: 'validatingwebhookconfiguration/scangate unchanged\n',
    });
    const listed = await kubectl(['get', 'validatingwebhookconfigurations', '-o', 'name']);
    expect(listed).toMatchObject({
      code: 0,
      stdout: 'validatingwebhookconfiguration.admissionregistration.k8s.io/scangate\n',
    });
  });

  it("refuses a Pod with nginx:latest with scangate's message", async () => {
    const before = rejections(await kube!.metrics(), 'no_error');
    // The API server picks a new configuration up from its informer within a moment.
    const refused = await eventually('the webhook in effect', async () => {
      const result = await kubectl(['apply', '-f', '-'], pod('latest', 'nginx:latest'));
      return result.code !== 0 ? result : (await kubectl(['delete', 'pod', 'latest', '--wait=false']), undefined);
    });
    expect(refused.stderr).toContain(`admission webhook "${WEBHOOK}" denied the request`);
    expect(refused.stderr).toContain('spec.containers[0].image');
    expect(refused.stderr).toContain('nginx:latest');
    expect(rejections(await kube!.metrics(), 'no_error')).toBeGreaterThan(before);
  });

  it('creates a Pod whose image is pinned by digest', async () => {
    expect(await kubectl(['apply', '-f', '-'], pod('pinned', PINNED))).toMatchObject({
      code: 0,
      stdout: 'pod/pinned created\n',
    });
  });

  it('refuses a Deployment whose template is denied, to the kubectl user', async () => {
    const refused = await kubectl(['apply', '-f', '-'], deployment('web', 'nginx:latest'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`admission webhook "${WEBHOOK}" denied the request`);
    expect(refused.stderr).toContain('spec.template.spec.containers[0].image');
    expect(await kubectl(['get', 'deployment', 'web'])).toMatchObject({ code: 1 });
  });

  it('refuses an ephemeral container with a denied image (pods/ephemeralcontainers) and admits a pinned one', async () => {
    const patch = (name: string, image: string): string =>
      JSON.stringify({ spec: { ephemeralContainers: [{ name, image, command: ['sh'], targetContainerName: 'app' }] } });
    const refused = await kubectl([
      'patch',
      'pod',
      'pinned',
      '--subresource=ephemeralcontainers',
      '--type=strategic',
      '-p',
      patch('debug', 'busybox:latest'),
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`admission webhook "${WEBHOOK}" denied the request`);
    expect(refused.stderr).toContain('spec.ephemeralContainers[0].image');

    const pinnedDebug = `docker.io/library/busybox@${DIGEST}`;
    const added = await kubectl([
      'patch',
      'pod',
      'pinned',
      '--subresource=ephemeralcontainers',
      '--type=strategic',
      '-p',
      patch('debug', pinnedDebug),
    ]);
    expect(added).toMatchObject({ code: 0 });
    const images = await kubectl(['get', 'pod', 'pinned', '-o', 'jsonpath={.spec.ephemeralContainers[*].image}']);
    expect(images.stdout).toBe(pinnedDebug);
  });

  it('evaluates kubectl apply --dry-run=server (refused or allowed) without creating anything', async () => {
    const refused = await kubectl(['apply', '--dry-run=server', '-f', '-'], deployment('dry-bad', 'nginx:latest'));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`admission webhook "${WEBHOOK}" denied the request`);
    const allowed = await kubectl(['apply', '--dry-run=server', '-f', '-'], deployment('dry-good', PINNED));
    expect(allowed).toMatchObject({ code: 0, stdout: 'deployment.apps/dry-good created (server dry run)\n' });
    expect(await kubectl(['get', 'deployment', 'dry-good'])).toMatchObject({ code: 1 });

    // scangate saw both as dry runs (sideEffects NoneOnDryRun: it evaluates, enqueues nothing).
    const reviews = await eventually('both dry-run reviews logged', async () => {
      const found = serve!.logs().filter((line) => line['dryRun'] === true && line['kind'] === 'Deployment');
      return found.length >= 2 ? found : undefined;
    });
    expect(reviews.map((line) => [line['name'], line['decision']]).sort()).toEqual([
      ['dry-bad', 'deny'],
      ['dry-good', 'allow'],
    ]);
  });

  it('admits anything in an exempt namespace without asking scangate', async () => {
    expect(await kubectl(['create', 'namespace', 'sandbox'])).toMatchObject({ code: 0 });
    expect(await kubectl(['apply', '-f', '-'], pod('anything', 'nginx:latest', 'sandbox'))).toMatchObject({
      code: 0,
      stdout: 'pod/anything created\n',
    });
    expect(serve!.logs().filter((line) => line['namespace'] === 'sandbox')).toEqual([]);
  });

  it('with scangate stopped: failurePolicy Fail refuses, Ignore admits', async () => {
    await serve!.stop();
    const before = rejections(await kube!.metrics(), 'calling_webhook_error');
    const failed = await kubectl(['apply', '-f', '-'], pod('while-down', PINNED));
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(`failed calling webhook "${WEBHOOK}"`);
    expect(rejections(await kube!.metrics(), 'calling_webhook_error')).toBeGreaterThan(before);

    expect(await register('--failure-policy', 'Ignore')).toMatchObject({
      status: 0,
      stdout: 'validatingwebhookconfiguration/scangate updated\n',
    });
    const admitted = await eventually('failurePolicy Ignore in effect', async () => {
      const result = await kubectl(['apply', '-f', '-'], pod('while-down', 'nginx:latest'));
      return result.code === 0 ? result : undefined;
    });
    expect(admitted.stdout).toBe('pod/while-down created\n');
    const listed = await kubectl(['get', 'validatingwebhookconfigurations', '-o', 'name']);
    expect(listed.stdout.trim().split('\n')).toHaveLength(1);
  });
});
