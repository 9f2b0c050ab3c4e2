import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { get as plainGet } from 'node:http';
import { request } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '@scangate/webhook';
import { KUBE_VERSION } from './kube-specs';
import { freePort, onPath } from './local-host';

// A real kube-apiserver (REAL-PEERS.md) over a real etcd, both on free loopback ports in a temp
// dir. The admin authenticates with a static token in group system:masters (RBAC lets it do
// anything); ServiceAccount admission is off because no controller-manager creates tokens.
// Every process is SIGKILLed when the test process exits, even if afterAll never ran.

export interface KubeApiserver {
  readonly url: string; // https://127.0.0.1:PORT
  readonly kubeconfig: string; // path of an admin kubeconfig (token)
  /** runs kubectl --kubeconfig <kubeconfig> ...args; never throws on exit code */
  kubectl(args: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Prometheus text of the apiserver's /metrics */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export { KUBE_VERSION };
export const KUBE_APISERVER_BIN = join(
  homedir(),
  '.cache',
  'scangate',
  `kube-apiserver-${KUBE_VERSION}`,
  'kube-apiserver',
);
export const KUBE_APISERVER_MISSING_MESSAGE =
  `kube-apiserver ${KUBE_VERSION} is missing at ${KUBE_APISERVER_BIN}: build it with ` +
  '`bash test/peers/build-kube-apiserver.sh` (takes 8–15 minutes on 2 cores)';
export const ETCD_MISSING_MESSAGE = 'etcd is needed for these tests: install it with `apt-get install -y etcd-server`';
export const KUBECTL_MISSING_MESSAGE =
  'kubectl is needed for these tests: build it with `bash test/peers/build-kube-apiserver.sh` (with kube-apiserver)';

const HOST = '127.0.0.1';
const ETCD_DEADLINE_MS = 20_000;
const APISERVER_DEADLINE_MS = 90_000;
const STOP_DEADLINE_MS = 10_000;
const POLL_MS = 100;
const KUBECTL_TIMEOUT_MS = 60_000;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  running(): boolean;
}

function spawnLogged(command: string, args: readonly string[], cwd: string): Spawned {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', () => live.delete(child));
  return {
    child,
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
  };
}

async function terminate(spawned: Spawned): Promise<void> {
  if (!spawned.running()) return;
  const exited = new Promise<void>((resolve) => spawned.child.once('exit', () => resolve()));
  spawned.child.kill('SIGTERM');
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), STOP_DEADLINE_MS);
  await exited;
  clearTimeout(timer);
}

async function pollUntil(
  what: string,
  deadlineMs: number,
  check: () => Promise<boolean>,
  spawned: Spawned,
): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < end) {
    if (!spawned.running()) throw new Error(`${what}: the process exited early:\n${spawned.output()}`);
    try {
      if (await check()) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_MS);
  }
  throw new Error(`${what}: not within ${deadlineMs} ms${last ? ` (${last})` : ''}\n${spawned.output()}`);
}

/** One GET over HTTPS with a bearer token; resolves status and body. */
function httpsGet(url: string, ca: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.once('error', reject);
    req.end();
  });
}

/** etcd speaks plain HTTP on its client port. */
function httpGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = plainGet(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.once('error', reject);
  });
}

/**
 * The kubectl binary: the one build-kube-apiserver.sh builds beside the server (same release);
 * else, next to a preinstalled dispatcher, the newest `kubectl.1.N` within one minor of the server.
 */
function kubectlBinary(): string {
  const built = join(dirname(KUBE_APISERVER_BIN), 'kubectl');
  if (existsSync(built)) return built;
  if (!onPath('kubectl')) throw new Error(KUBECTL_MISSING_MESSAGE);
  const serverMinor = Number(KUBE_VERSION.split('.')[1]);
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const candidate = join(dir, 'kubectl');
    if (!existsSync(candidate)) continue;
    const realDir = dirname(realpathSync(candidate));
    const versions = readdirSync(realDir)
      .map((name) => /^kubectl\.1\.(\d+)$/.exec(name))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .filter((minor) => minor <= serverMinor && minor >= serverMinor - 1)
      .sort((a, b) => b - a);
    const best = versions[0];
    return best === undefined ? candidate : join(realDir, `kubectl.1.${best}`);
  }
  return 'kubectl';
}

async function startEtcd(dir: string): Promise<{ url: string; process: Spawned }> {
  if (!onPath('etcd')) throw new Error(ETCD_MISSING_MESSAGE);
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://${HOST}:${clientPort}`;
  const peer = `http://${HOST}:${peerPort}`;
  const etcd = spawnLogged(
    'etcd',
    [
      '--name',
      'scangate-test',
      '--data-dir',
      join(dir, 'etcd'),
      '--listen-client-urls',
      url,
      '--advertise-client-urls',
      url,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `scangate-test=${peer}`,
      '--initial-cluster-state',
      'new',
      '--log-level',
      'warn',
      '--logger',
      'zap',
    ],
    dir,
  );
  try {
    await pollUntil(
      `etcd on ${url} healthy`,
      ETCD_DEADLINE_MS,
      async () => (await httpGet(`${url}/health`)) === 200,
      etcd,
    );
  } catch (error) {
    await terminate(etcd);
    throw error;
  }
  return { url, process: etcd };
}

function kubeconfigYaml(url: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: scangate-test',
    '  cluster:',
    `    server: ${url}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: scangate-test',
    '  context:',
    '    cluster: scangate-test',
    '    user: admin',
    'current-context: scangate-test',
    '',
  ].join('\n');
}

/**
 * Starts etcd and kube-apiserver on free loopback ports and waits for /readyz. Call `stop()` in
 * afterAll. Fails with the build command when the kube-apiserver binary is missing.
 */
export async function startKubeApiserver(options: { extraFlags?: readonly string[] } = {}): Promise<KubeApiserver> {
  if (!existsSync(KUBE_APISERVER_BIN)) throw new Error(KUBE_APISERVER_MISSING_MESSAGE);
  const kubectlBin = kubectlBinary();
  const dir = mkdtempSync(join(tmpdir(), 'scangate-kube-'));
  const processes: Spawned[] = [];
  const stop = async (): Promise<void> => {
    for (const spawned of processes.reverse()) await terminate(spawned);
    processes.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const etcd = await startEtcd(dir);
    processes.push(etcd.process);

    const ca = await createCertificateAuthority('scangate test kube-apiserver CA');
    const serving = await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      names: [HOST, 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
      usage: 'server',
    });
    const serviceAccount = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const token = randomBytes(24).toString('hex');
    const file = (name: string, content: string): string => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      return path;
    };
    const port = await freePort();
    const url = `https://${HOST}:${port}`;
    const apiserver = spawnLogged(
      KUBE_APISERVER_BIN,
      [
        `--etcd-servers=${etcd.url}`,
        `--etcd-prefix=/registry-${port}`,
        `--bind-address=${HOST}`,
        `--advertise-address=${HOST}`,
        `--secure-port=${port}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--tls-cert-file=${file('apiserver.crt', serving.certPem)}`,
        `--tls-private-key-file=${file('apiserver.key', serving.keyPem)}`,
        `--token-auth-file=${file('tokens.csv', `${token},scangate-admin,scangate-admin,"system:masters"\n`)}`,
        '--authorization-mode=RBAC',
        '--anonymous-auth=false',
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${file('sa.pub', serviceAccount.publicKey)}`,
        `--service-account-signing-key-file=${file('sa.key', serviceAccount.privateKey)}`,
        '--service-cluster-ip-range=10.96.0.0/24',
        // A webhook behind a Service is dialled at an endpoint IP, not at the Service's cluster IP
        // (10.96.x, off loopback): no controller writes endpoints here, so such a call fails
        // inside the API server ("no endpoints") and no packet leaves the machine.
        '--enable-aggregator-routing=true',
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        '--enable-priority-and-fairness=false',
        '--profiling=false',
        '--v=1',
        ...(options.extraFlags ?? []),
      ],
      dir,
    );
    processes.push(apiserver);
    await pollUntil(
      `kube-apiserver on ${url} ready`,
      APISERVER_DEADLINE_MS,
      async () => (await httpsGet(`${url}/readyz`, ca.certPem, token)).status === 200,
      apiserver,
    );
    const kubeconfig = file('kubeconfig', kubeconfigYaml(url, ca.certPem, token));

    return {
      url,
      kubeconfig,
      kubectl: (args, input) =>
        new Promise((resolve) => {
          const child = execFile(
            kubectlBin,
            ['--kubeconfig', kubeconfig, ...args],
            {
              timeout: KUBECTL_TIMEOUT_MS,
              maxBuffer: 32 * 1024 * 1024,
              env: { PATH: process.env['PATH'] ?? '', HOME: dir },
            },
            (error, stdout, stderr) => {
              const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
              resolve({ code, stdout, stderr: stderr || (error ? error.message : '') });
            },
          );
          if (input !== undefined) child.stdin?.end(input);
          else child.stdin?.end();
        }),
      metrics: async () => {
        const response = await httpsGet(`${url}/metrics`, ca.certPem, token);
        if (response.status !== 200)
          throw new Error(`GET ${url}/metrics: ${response.status} ${response.body.slice(0, 200)}`);
        return response.body;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
