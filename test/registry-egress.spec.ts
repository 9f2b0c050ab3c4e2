import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RegistryError } from '@scangate/analysis';
import { parseImageRef } from '@scangate/image-ref';
import {
  type DnsLookup,
  DockerCredentials,
  MEDIA_TYPES,
  RegistryClient,
  type RegistryClientOptions,
  type SocketConnect,
  defaultSocketConnect,
} from '@scangate/registry';
import type { RegistriesConfig } from '@scangate/config';

// The registry client against small fake registries on loopback (lying digests, oversized or slow
// answers, rate limits, redirects, foreign realms) and the egress guard against addresses this
// machine must never send a packet to: there the DNS lookup is injected and the socket-connect step
// is a spy that must not be called.

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const CONFIG = Buffer.from(
  JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
);
const LAYER_DIGEST = sha256('layer');
const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(CONFIG), size: CONFIG.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: LAYER_DIGEST, size: 5 }],
  }),
);
const MANIFEST_DIGEST = sha256(MANIFEST);
const OTHER_DIGEST = sha256('something else');

interface FakeServer {
  readonly port: number;
  readonly host: string;
  readonly requests: { method: string; url: string; authorization?: string }[];
  connections: number;
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, server: FakeServer) => void | Promise<void>;

const servers: Server[] = [];
const sockets = new Set<Socket>();

async function fakeServer(handler: Handler, host = '127.0.0.1'): Promise<FakeServer> {
  const server = createServer();
  servers.push(server);
  const state: FakeServer = {
    port: 0,
    host,
    requests: [],
    connections: 0,
    inFlight: 0,
    maxInFlight: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    state.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    res.on('close', () => state.inFlight--);
    void handler(req, res, state);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return Object.assign(state, { port: (server.address() as AddressInfo).port });
}

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A well-behaved registry serving MANIFEST as `app:v1` and by digest, and its config blob. */
const goodRegistry: Handler = (req, res) => {
  const url = req.url ?? '';
  if (url.startsWith('/v2/app/manifests/')) {
    const headers = {
      'content-type': MEDIA_TYPES.ociManifest,
      'docker-content-digest': MANIFEST_DIGEST,
      'content-length': MANIFEST.length,
    };
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : MANIFEST);
  } else if (url === `/v2/app/blobs/${sha256(CONFIG)}`) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(CONFIG);
  } else {
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}');
  }
};

interface Spied {
  readonly client: RegistryClient;
  readonly connect: jest.Mock<ReturnType<SocketConnect>, Parameters<SocketConnect>>;
  readonly lookup: jest.Mock<ReturnType<DnsLookup>, Parameters<DnsLookup>>;
}

const clients: RegistryClient[] = [];
afterEach(() => {
  while (clients.length > 0) clients.pop()?.close();
});

/** A client whose DNS answers come from `dns` (unknown names: ENOTFOUND) and whose connects are spied. */
function spiedClient(
  registries: Partial<RegistriesConfig> = {},
  dns: Record<string, string[]> = {},
  options: RegistryClientOptions & { allowedRegistries?: string[] } = {},
): Spied {
  const { allowedRegistries = [], ...rest } = options;
  const lookup = jest.fn<ReturnType<DnsLookup>, Parameters<DnsLookup>>(async (hostname) => {
    const answers = dns[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  });
  const connect = jest.fn<ReturnType<SocketConnect>, Parameters<SocketConnect>>(defaultSocketConnect);
  const client = RegistryClient.fromConfig(
    {
      registries: {
        insecure: [],
        allowPrivateNetworks: false,
        privateHosts: [],
        platforms: ['linux/amd64'],
        ...registries,
      },
      policy: { allowedRegistries },
    },
    { lookup, connect, timeoutMs: 2_000, ...rest },
  );
  clients.push(client);
  return { client, connect, lookup };
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RegistryError)) throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error;
}

const signal = () => AbortSignal.timeout(20_000);

describe('egress guard: addresses', () => {
  let listener: FakeServer;
  beforeAll(async () => {
    listener = await fakeServer(goodRegistry);
  });

  it('a reference aimed at 127.0.0.1 is refused and the listening socket sees no connection', async () => {
    const { client, connect } = spiedClient({ insecure: [`127.0.0.1:${listener.port}`] });
    const error = await rejection(client.resolve(parseImageRef(`127.0.0.1:${listener.port}/app:v1`), signal()));
    expect([error.code, error.transient]).toEqual(['EGRESS_DENIED', false]);
    expect(error.message).toContain('loopback');
    expect(connect).not.toHaveBeenCalled();
    expect(listener.connections).toBe(0);
  });

  it('a name resolving to loopback is refused at connect time; the listening socket sees no connection', async () => {
    const host = `registry.attacker.test:${listener.port}`;
    const { client, connect, lookup } = spiedClient({ insecure: [host] }, { 'registry.attacker.test': ['127.0.0.1'] });
    const error = await rejection(client.resolve(parseImageRef(`${host}/app:v1`), signal()));
    expect([error.code, error.transient]).toEqual(['EGRESS_DENIED', false]);
    expect(lookup).toHaveBeenCalledWith('registry.attacker.test');
    expect(connect).not.toHaveBeenCalled();
    expect(listener.connections).toBe(0);
  });

  it('the same name is reached when it is listed in privateHosts, or with allowPrivateNetworks', async () => {
    const host = `registry.attacker.test:${listener.port}`;
    const dns = { 'registry.attacker.test': ['127.0.0.1'] };
    const listed = spiedClient({ insecure: [host], privateHosts: [host] }, dns);
    expect((await listed.client.resolve(parseImageRef(`${host}/app:v1`), signal())).digest).toBe(MANIFEST_DIGEST);
    expect(listed.connect.mock.calls[0]?.[0]).toMatchObject({ host: '127.0.0.1', port: listener.port });
    const open = spiedClient({ insecure: [host], allowPrivateNetworks: true }, dns);
    expect((await open.client.resolve(parseImageRef(`${host}/app:v1`), signal())).digest).toBe(MANIFEST_DIGEST);
  });

  it.each([
    ['[::1]', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['10.0.0.1', 'private'],
    // distribution/reference accepts IPv6 domains in hex groups only: [::ffff:127.0.0.1] is
    // written [::ffff:7f00:1] in a reference (the dotted form is refused by the parser, below).
    ['[::ffff:7f00:1]', 'loopback'],
    ['[::ffff:a9fe:a9fe]', 'link-local'],
    ['[::ffff:0:a00:1]', 'private'],
    ['[fd00::1]', 'unique local'],
    ['[fe80::1]', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['[::]', 'unspecified'],
    ['192.168.1.1', 'private'],
    ['172.16.0.1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['[64:ff9b::a00:1]', 'private'],
  ])('an IP literal %s is refused without a lookup or a connect (%s)', async (host, reason) => {
    const { client, connect, lookup } = spiedClient({ insecure: [host] });
    for (const ref of [`${host}/app:v1`, `${host}:5000/app:v1`, `${host}:443/app@${MANIFEST_DIGEST}`]) {
      const error = await rejection(client.resolve(parseImageRef(ref), signal()));
      expect([error.code, error.transient]).toEqual(['EGRESS_DENIED', false]);
      expect(error.message).toContain(reason);
    }
    expect(lookup).not.toHaveBeenCalled();
    expect(connect).not.toHaveBeenCalled();
  });

  it('[::ffff:127.0.0.1] never reaches the client as a reference; as a DNS answer it is loopback and refused', async () => {
    expect(() => parseImageRef(`[::ffff:127.0.0.1]:${listener.port}/app:v1`)).toThrow('invalid reference format');
    const host = `mapped.attacker.test:${listener.port}`;
    const { client, connect } = spiedClient({ insecure: [host] }, { 'mapped.attacker.test': ['::ffff:127.0.0.1'] });
    const before = listener.connections;
    const error = await rejection(client.resolve(parseImageRef(`${host}/app:v1`), signal()));
    expect([error.code, error.transient]).toEqual(['EGRESS_DENIED', false]);
    expect(error.message).toContain('loopback (IPv4-mapped 127.0.0.1)');
    expect(connect).not.toHaveBeenCalled();
    expect(listener.connections).toBe(before);
  });

  it.each([
    [['10.0.0.5']],
    [['169.254.169.254']],
    [['::ffff:10.0.0.1']],
    [['fd12:3456::1']],
    [['100.100.100.200']],
    [['93.184.215.14', '10.1.2.3']],
  ])('a name resolving to %j is refused without a connect', async (addresses) => {
    const { client, connect } = spiedClient({}, { 'registry.example.com': addresses });
    const error = await rejection(client.resolve(parseImageRef('registry.example.com/app:v1'), signal()));
    expect([error.code, error.transient]).toEqual(['EGRESS_DENIED', false]);
    expect(connect).not.toHaveBeenCalled();
  });

  it('a host outside policy.allowedRegistries is refused before any lookup; docker.io maps to registry-1.docker.io', async () => {
    const { client, connect, lookup } = spiedClient(
      {},
      { 'registry-1.docker.io': ['10.9.9.9'] },
      { allowedRegistries: ['docker.io'] },
    );
    const outside = await rejection(client.resolve(parseImageRef('ghcr.io/org/app:v1'), signal()));
    expect([outside.code, outside.transient]).toEqual(['EGRESS_DENIED', false]);
    expect(outside.message).toContain('policy.allowedRegistries');
    // docker.io is allowed; its API host resolves (in this test) to a private address: refused too.
    const hub = await rejection(client.resolve(parseImageRef('nginx:1.25'), signal()));
    expect(hub.code).toBe('EGRESS_DENIED');
    expect(lookup.mock.calls.map((c) => c[0])).toEqual(['registry-1.docker.io']);
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('lying, oversized, slow and rate-limiting registries', () => {
  function clientFor(server: FakeServer, options: RegistryClientOptions = {}): Spied {
    const host = `127.0.0.1:${server.port}`;
    return spiedClient({ insecure: [host], privateHosts: [host] }, {}, options);
  }
  const ref = (server: FakeServer, rest = 'app:v1') => parseImageRef(`127.0.0.1:${server.port}/${rest}`);

  it('HEAD announcing one digest and GET serving other bytes: DIGEST_MISMATCH', async () => {
    const server = await fakeServer((req, res) => {
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest, 'docker-content-digest': OTHER_DIGEST });
      res.end(req.method === 'HEAD' ? undefined : MANIFEST);
    });
    const error = await rejection(clientFor(server).client.resolve(ref(server), signal()));
    expect([error.code, error.transient]).toEqual(['DIGEST_MISMATCH', false]);
  });

  it('a digest reference answered with other bytes: DIGEST_MISMATCH', async () => {
    const server = await fakeServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest, 'docker-content-digest': OTHER_DIGEST })
        .end(MANIFEST);
    });
    const error = await rejection(clientFor(server).client.resolve(ref(server, `app@${OTHER_DIGEST}`), signal()));
    expect([error.code, error.transient]).toEqual(['DIGEST_MISMATCH', false]);
  });

  it('HEAD without Docker-Content-Digest falls back to GET and hashes the bytes; a wrong header on GET is refused', async () => {
    let lie = false;
    const server = await fakeServer((req, res) => {
      const url = req.url ?? '';
      if (url.includes('/blobs/')) return void res.writeHead(200).end(CONFIG);
      const headers: Record<string, string> = { 'content-type': MEDIA_TYPES.ociManifest };
      if (req.method === 'GET' && lie) headers['docker-content-digest'] = OTHER_DIGEST;
      res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : MANIFEST);
    });
    const { client } = clientFor(server);
    expect((await client.resolve(ref(server), signal())).digest).toBe(MANIFEST_DIGEST);
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD', 'GET', 'GET']);
    lie = true;
    expect((await rejection(client.resolve(ref(server), signal()))).code).toBe('DIGEST_MISMATCH');
  });

  it('an oversized manifest is refused (declared or streamed) with RESPONSE_TOO_LARGE', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
    const server = await fakeServer((req, res) => {
      const chunked = (req.url ?? '').includes('chunked');
      res.writeHead(200, {
        'content-type': MEDIA_TYPES.ociManifest,
        ...(chunked ? {} : { 'content-length': big.length }),
      });
      if (req.method === 'HEAD') return void res.end();
      res.end(big);
    });
    const { client } = clientFor(server);
    const results = [];
    for (const name of ['app:v1', 'chunked:v1']) {
      const error = await rejection(client.resolve(ref(server, name), signal()));
      results.push([name, error.code, error.transient, error.message]);
    }
    expect(results).toEqual([
      ['app:v1', 'RESPONSE_TOO_LARGE', false, expect.stringContaining('larger than 4194304 bytes')],
      ['chunked:v1', 'RESPONSE_TOO_LARGE', false, expect.stringContaining('larger than 4194304 bytes')],
    ]);
  });

  it('a registry that never answers is refused with TIMEOUT within the configured timeout', async () => {
    const server = await fakeServer(() => undefined);
    const { client } = clientFor(server, { timeoutMs: 300 });
    const started = performance.now();
    const error = await rejection(client.resolve(ref(server), signal()));
    const elapsed = performance.now() - started;
    expect([error.code, error.transient]).toEqual(['TIMEOUT', true]);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('the caller aborting is ABORTED (transient)', async () => {
    const server = await fakeServer(() => undefined);
    const { client } = clientFor(server);
    const controller = new AbortController();
    const pending = rejection(client.resolve(ref(server), controller.signal));
    setImmediate(() => controller.abort());
    expect((await pending).code).toBe('ABORTED');
  });

  it('429 is retried after Retry-After; a Retry-After beyond the bound is TOO_MANY_REQUESTS at once', async () => {
    let limited = 1;
    let retryAfter = '0';
    const server = await fakeServer((req, res, state) => {
      if (limited > 0) {
        limited--;
        return void res.writeHead(429, { 'retry-after': retryAfter }).end();
      }
      goodRegistry(req, res, state);
    });
    const { client } = clientFor(server);
    expect((await client.resolve(ref(server), signal())).digest).toBe(MANIFEST_DIGEST);
    limited = 1;
    retryAfter = '3600';
    const started = performance.now();
    const error = await rejection(client.resolve(ref(server), signal()));
    expect([error.code, error.transient]).toEqual(['TOO_MANY_REQUESTS', true]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('5xx is SERVER_ERROR (transient); NAME_UNKNOWN and 403 DENIED are permanent', async () => {
    const server = await fakeServer((req, res, state) => {
      const url = req.url ?? '';
      if (url.startsWith('/v2/broken/')) return void res.writeHead(503).end();
      if (url.startsWith('/v2/secret/'))
        return void res.writeHead(403, { 'content-type': 'application/json' }).end('{"errors":[{"code":"DENIED"}]}');
      goodRegistry(req, res, state);
    });
    const { client } = clientFor(server);
    expect(await rejection(client.resolve(ref(server, 'broken:v1'), signal()))).toMatchObject({
      code: 'SERVER_ERROR',
      transient: true,
    });
    expect(await rejection(client.resolve(ref(server, 'unknown:v1'), signal()))).toMatchObject({
      code: 'NAME_UNKNOWN',
      transient: false,
    });
    expect(await rejection(client.resolve(ref(server, 'secret:v1'), signal()))).toMatchObject({
      code: 'DENIED',
      transient: false,
    });
  });

  it('schema 1 and other media types are UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = Buffer.from('{"schemaVersion":1,"name":"app","tag":"v1","fsLayers":[]}');
    const server = await fakeServer((req, res) => {
      res.writeHead(200, {
        'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
        'docker-content-digest': sha256(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    expect(await rejection(clientFor(server).client.resolve(ref(server), signal()))).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      transient: false,
    });
  });

  it('sends the four manifest types in Accept', async () => {
    const server = await fakeServer(goodRegistry);
    const accepts: string[] = [];
    server.requests.length = 0;
    const spy = await fakeServer((req, res, state) => {
      accepts.push(String(req.headers.accept));
      goodRegistry(req, res, state);
    });
    await clientFor(spy).client.resolve(ref(spy), signal());
    expect(accepts[0]?.split(', ').sort()).toEqual(
      [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].sort(),
    );
    await server.close();
  });

  it('bounds concurrent resolutions per registry', async () => {
    const server = await fakeServer((req, res, state) => {
      setTimeout(() => goodRegistry(req, res, state), 20);
    });
    const { client } = clientFor(server, { maxConcurrencyPerRegistry: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, () => client.resolve(ref(server), signal())));
    expect(results.every((r) => r.digest === MANIFEST_DIGEST)).toBe(true);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
    expect(server.maxInFlight).toBeGreaterThanOrEqual(1);
  });
});

describe('realms and redirects', () => {
  const user = { username: 'carol', password: 'pw' };

  it('a Bearer realm on another host is refused unless explicitly allowed, and the token server sees no connection', async () => {
    const tokens = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t0k"}');
    });
    const realmHost = `auth.elsewhere.test:${tokens.port}`;
    const registry = await fakeServer((req, res, state) => {
      if (req.headers.authorization !== 'Bearer t0k') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${realmHost}/token",service="svc"` }).end();
        return;
      }
      goodRegistry(req, res, state);
    });
    const host = `127.0.0.1:${registry.port}`;
    const dns = { 'auth.elsewhere.test': ['127.0.0.1'] };
    const credentials = DockerCredentials.fromJson({
      auths: { [host]: { username: user.username, password: user.password } },
    });
    const refused = spiedClient({ insecure: [host, realmHost], privateHosts: [host, realmHost] }, dns, { credentials });
    const error = await rejection(refused.client.resolve(parseImageRef(`${host}/app:v1`), signal()));
    expect([error.code, error.transient]).toEqual(['EGRESS_DENIED', false]);
    expect(error.message).toContain('token realm');
    expect(tokens.connections).toBe(0);

    const allowed = spiedClient({ insecure: [host, realmHost], privateHosts: [host, realmHost] }, dns, {
      credentials,
      tokenRealmHosts: [realmHost],
    });
    expect((await allowed.client.resolve(parseImageRef(`${host}/app:v1`), signal())).digest).toBe(MANIFEST_DIGEST);
    expect(tokens.requests[0]?.url).toBe('/token?service=svc&scope=repository%3Aapp%3Apull');
    expect(tokens.requests[0]?.authorization).toBe(`Basic ${Buffer.from('carol:pw').toString('base64')}`);
  });

  it('an allowed realm host resolving to a private address is still refused (guarded like any host)', async () => {
    const registry = await fakeServer((_req, res) => {
      res
        .writeHead(401, {
          'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
        })
        .end();
    });
    const host = `127.0.0.1:${registry.port}`;
    const { client, connect } = spiedClient(
      { insecure: [host], privateHosts: [host] },
      { 'auth.docker.io': ['169.254.169.254'] },
    );
    const error = await rejection(client.resolve(parseImageRef(`${host}/app:v1`), signal()));
    expect(error.code).toBe('EGRESS_DENIED');
    expect(error.message).toContain('169.254.169.254');
    expect(connect.mock.calls.every((call) => call[0].host === '127.0.0.1')).toBe(true);
  });

  it('a redirect to another host is followed without credentials; a redirect to a forbidden address is refused', async () => {
    const storage = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest }).end(MANIFEST);
    });
    const storageHost = `storage.test:${storage.port}`;
    let target = `http://${storageHost}/signed-blob`;
    const registry = await fakeServer((req, res, state) => {
      if (!req.headers.authorization) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      if (req.method === 'GET' && (req.url ?? '').startsWith('/v2/app/manifests/sha256:')) {
        return void res.writeHead(307, { location: target }).end();
      }
      goodRegistry(req, res, state);
    });
    const host = `127.0.0.1:${registry.port}`;
    const credentials = DockerCredentials.fromJson({
      auths: { [host]: { auth: Buffer.from('carol:pw').toString('base64') } },
    });
    const dns = { 'storage.test': ['127.0.0.1'], 'metadata.test': ['169.254.169.254'] };
    const { client, connect } = spiedClient(
      { insecure: [host, storageHost, 'metadata.test'], privateHosts: [host, storageHost] },
      dns,
      { credentials },
    );
    expect((await client.resolve(parseImageRef(`${host}/app:v1`), signal())).digest).toBe(MANIFEST_DIGEST);
    expect(registry.requests.some((r) => r.authorization?.startsWith('Basic '))).toBe(true);
    expect(storage.requests).toEqual([{ method: 'GET', url: '/signed-blob' }]);

    for (const forbidden of [
      'http://metadata.test/latest/meta-data/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:1/x',
    ]) {
      target = forbidden;
      const before = connect.mock.calls.length;
      const error = await rejection(client.resolve(parseImageRef(`${host}/app:v1`), signal()));
      expect(error.code).toBe('EGRESS_DENIED');
      expect(connect.mock.calls.slice(before).every((call) => call[0].host === '127.0.0.1')).toBe(true);
    }
    target = `https://${storageHost}/x`.replace('https', 'ftp');
    expect((await rejection(client.resolve(parseImageRef(`${host}/app:v1`), signal()))).code).toBe('EGRESS_DENIED');
  });
});
