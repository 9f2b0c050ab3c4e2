import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onPath } from './local-host';

// Real Debian `docker-registry` (distribution 2.8) processes for the registry client's integration
// tests (REAL-PEERS.md): one per test file on a free loopback port, filesystem storage in a temp
// dir, anonymous, htpasswd (bcrypt) or token auth trusting a token server this harness runs.
// Images are built with umoci and pushed with skopeo; index/list manifests are PUT by the harness.
// Every process is SIGKILLed when the test process exits, even if afterAll never ran.

export const REGISTRY_MISSING_MESSAGE =
  'docker-registry, skopeo, umoci and htpasswd are needed for these tests: install them with ' +
  '`apt-get install -y docker-registry skopeo umoci apache2-utils`';

const HOST = '127.0.0.1';
const START_DEADLINE_MS = 15_000;
const POLL_MS = 25;
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Throws with the install command when a binary is missing (these tests never skip). */
export function requireRegistryBinaries(): void {
  const missing = ['docker-registry', 'skopeo', 'umoci', 'htpasswd', 'openssl'].filter((c) => !onPath(c));
  if (missing.length > 0) throw new Error(`${REGISTRY_MISSING_MESSAGE} (missing: ${missing.join(', ')})`);
}

function run(command: string, args: readonly string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export type RegistryAuthVariant =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'htpasswd'; readonly users: readonly RegistryCredentials[] }
  | { readonly kind: 'token'; readonly tokenServer: TestTokenServer };

export interface TestRegistry {
  /** `127.0.0.1:P`: the domain in image references. */
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** Credentials skopeo pushes with (htpasswd/token variants). */
  readonly pushCredentials?: RegistryCredentials;
  dispose(): Promise<void>;
}

export async function startRegistry(auth: RegistryAuthVariant = { kind: 'anonymous' }): Promise<TestRegistry> {
  requireRegistryBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'scangate-registry-'));
  const port = await freePort();
  let authYaml = '';
  let pushCredentials: RegistryCredentials | undefined;
  if (auth.kind === 'htpasswd') {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, '');
    for (const user of auth.users)
      execFileSync('htpasswd', ['-B', '-b', file, user.username, user.password], { stdio: 'pipe' });
    authYaml = `auth:\n  htpasswd:\n    realm: scangate-test\n    path: ${file}\n`;
    pushCredentials = auth.users[0];
  } else if (auth.kind === 'token') {
    const server = auth.tokenServer;
    authYaml =
      `auth:\n  token:\n    realm: ${server.realm}\n    service: ${server.service}\n` +
      `    issuer: ${server.issuer}\n    rootcertbundle: ${server.certFile}\n`;
    pushCredentials = server.pushCredentials;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n` +
      `  delete:\n    enabled: true\nhttp:\n  addr: ${HOST}:${port}\n${authYaml}`,
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    const status = await probe(port).catch(() => 0);
    if (status === 200 || status === 401) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start on ${HOST}:${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    host: `${HOST}:${port}`,
    port,
    dir,
    ...(pushCredentials ? { pushCredentials } : {}),
    async dispose() {
      child.kill('SIGTERM');
      await exited;
      children.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function probe(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: HOST, port, path: '/v2/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

export interface BuiltImage {
  /** `oci:DIR:tag` for skopeo. */
  readonly source: string;
}

/**
 * A one-layer OCI image built with umoci (a file `/scangate-test` holding `content`), for
 * `platform` `os/arch[/variant]`; distinct content gives distinct digests.
 */
export async function buildImage(workDir: string, content: string, platform = 'linux/amd64'): Promise<BuiltImage> {
  const layout = join(workDir, `layout-${randomUUID()}`);
  const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
  // umoci 0.4 has no --variant; a variant lives in the index entry the test writes.
  const [os = 'linux', architecture = 'amd64'] = platform.split('/');
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', '--image', `${layout}:img`]);
  const file = join(workDir, `content-${randomUUID()}`);
  writeFileSync(file, content);
  await run('umoci', ['insert', ...rootless, '--image', `${layout}:img`, file, '/scangate-test']);
  await run('umoci', ['config', ...rootless, '--image', `${layout}:img`, '--os', os, '--architecture', architecture]);
  return { source: `oci:${layout}:img` };
}

/** `skopeo copy` to `host/name:tag` (v2s2 converts to Docker media types). */
export async function pushImage(
  image: BuiltImage,
  registry: TestRegistry,
  nameTag: string,
  options: { format?: 'oci' | 'v2s2'; credentials?: RegistryCredentials } = {},
): Promise<void> {
  const creds = options.credentials ?? registry.pushCredentials;
  await run('skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    ...(creds ? ['--dest-creds', `${creds.username}:${creds.password}`] : []),
    ...(options.format ? ['--format', options.format] : []),
    image.source,
    `docker://${registry.host}/${nameTag}`,
  ]);
}

/** The raw manifest skopeo reads for a reference, and the digest of those exact bytes. */
export async function skopeoInspectRaw(
  registry: TestRegistry,
  nameRef: string,
  credentials?: RegistryCredentials,
): Promise<{ raw: Buffer; digest: string }> {
  const creds = credentials ?? registry.pushCredentials;
  const stdout = await new Promise<Buffer>((resolve, reject) => {
    execFile(
      'skopeo',
      [
        'inspect',
        '--raw',
        '--tls-verify=false',
        ...(creds ? ['--creds', `${creds.username}:${creds.password}`] : []),
        `docker://${registry.host}/${nameRef}`,
      ],
      { encoding: 'buffer', timeout: 60_000 },
      (error, out, err) => (error ? reject(new Error(`skopeo inspect failed: ${err.toString()}`)) : resolve(out)),
    );
  });
  return { raw: stdout, digest: `sha256:${createHash('sha256').update(stdout).digest('hex')}` };
}

/** `skopeo inspect --format {{.Digest}}`: what skopeo reports as the image digest. */
export async function skopeoDigest(
  registry: TestRegistry,
  nameRef: string,
  credentials?: RegistryCredentials,
): Promise<string> {
  const creds = credentials ?? registry.pushCredentials;
  const out = await run('skopeo', [
    'inspect',
    '--tls-verify=false',
    ...(creds ? ['--creds', `${creds.username}:${creds.password}`] : []),
    '--format',
    '{{.Digest}}',
    `docker://${registry.host}/${nameRef}`,
  ]);
  return out.trim();
}

/** PUTs a manifest (an index or list the test wrote) to an anonymous registry; returns its digest. */
export async function putManifest(
  registry: TestRegistry,
  name: string,
  tag: string,
  mediaType: string,
  body: Buffer,
): Promise<string> {
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      {
        host: HOST,
        port: registry.port,
        method: 'PUT',
        path: `/v2/${name}/manifests/${tag}`,
        headers: { 'content-type': mediaType },
      },
      (res: IncomingMessage) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 201) throw new Error(`PUT manifest ${name}:${tag} answered ${status}`);
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

export interface TestTokenServer {
  /** `http://127.0.0.1:Q/token`. */
  readonly realm: string;
  readonly port: number;
  readonly service: string;
  readonly issuer: string;
  readonly certFile: string;
  readonly pushCredentials: RegistryCredentials;
  /** Token requests received, with the Basic user (undefined: anonymous). */
  readonly requests: { readonly user?: string; readonly scope?: string }[];
  /** `expires_in` in answers; undefined: omitted (the client must assume 60 s). */
  expiresIn: number | undefined;
  dispose(): Promise<void>;
}

/**
 * A token server per distribution's token auth spec (auth-token.md): Basic-authenticated users get
 * a JWT (RS256, `x5c` = the self-signed certificate the registry trusts via rootcertbundle)
 * granting the requested actions; wrong credentials get 401; anonymous requests get a token
 * granting nothing.
 */
export async function startTokenServer(users: readonly RegistryCredentials[]): Promise<TestTokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'scangate-token-'));
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=scangate-test-token',
    ],
    { stdio: 'pipe' },
  );
  const key = readFileSync(keyFile, 'utf8');
  const certDer = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const port = await freePort();
  const service = 'scangate-test-registry';
  const issuer = 'scangate-test-issuer';
  const requests: { user?: string; scope?: string }[] = [];
  const state = { expiresIn: 300 as number | undefined };
  const server: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const authorization = req.headers.authorization ?? '';
    let user: string | undefined;
    if (authorization.startsWith('Basic ')) {
      const [name = '', password = ''] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      if (!users.some((u) => u.username === name && u.password === password)) {
        requests.push({ user: name });
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      user = name;
    }
    const scopes = url.searchParams.getAll('scope');
    requests.push({ ...(user ? { user } : {}), ...(scopes[0] ? { scope: scopes[0] } : {}) });
    const access = user
      ? scopes.flatMap((scope) => {
          const [type, name, actions] = scope.split(':');
          return type === 'repository' && name && actions ? [{ type, name, actions: actions.split(',') }] : [];
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${encode({ typ: 'JWT', alg: 'RS256', x5c: [certDer] })}.${encode({
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + 3600,
      nbf: now - 60,
      iat: now,
      jti: randomUUID(),
      access,
    })}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key).toString('base64url');
    const token = `${signingInput}.${signature}`;
    // Alternate the field name so both `token` and `access_token` are exercised.
    const body = requests.length % 2 === 0 ? { access_token: token } : { token };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ...body, ...(state.expiresIn !== undefined ? { expires_in: state.expiresIn } : {}) }));
  });
  await new Promise<void>((resolve) => server.listen(port, HOST, resolve));
  return {
    realm: `http://${HOST}:${port}/token`,
    port,
    service,
    issuer,
    certFile,
    pushCredentials: users[0] ?? { username: 'x', password: 'x' },
    requests,
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(value: number | undefined) {
      state.expiresIn = value;
    },
    async dispose() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
