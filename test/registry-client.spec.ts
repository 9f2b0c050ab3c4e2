import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BlobLocation, RegistryError } from '@scangate/analysis';
import { parseImageRef } from '@scangate/image-ref';
import { DockerCredentials, MEDIA_TYPES, RegistryClient, type RegistryClientOptions } from '@scangate/registry';
import {
  type BuiltImage,
  buildImage,
  pushImage,
  putManifest,
  type RegistryCredentials,
  requireRegistryBinaries,
  skopeoDigest,
  skopeoInspectRaw,
  startRegistry,
  startTokenServer,
  type TestRegistry,
  type TestTokenServer,
} from './harness/docker-registry';

// The registry client against the real Debian docker-registry (distribution 2.8), images pushed
// with umoci + skopeo. The registry is on loopback, so every client reaches it through an explicit
// registries.privateHosts entry (and registries.insecure for plain HTTP), never with the guard off.

requireRegistryBinaries();

const signal = () => AbortSignal.timeout(30_000);
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'scangate-registry-spec-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function clientFor(
  hosts: readonly string[],
  options: RegistryClientOptions & { dockerConfigFile?: string } = {},
): RegistryClient {
  const { dockerConfigFile, ...rest } = options;
  return RegistryClient.fromConfig(
    {
      registries: {
        insecure: [...hosts],
        allowPrivateNetworks: false,
        privateHosts: [...hosts],
        platforms: ['linux/amd64'],
        ...(dockerConfigFile ? { dockerConfigFile } : {}),
      },
      policy: { allowedRegistries: [] },
    },
    rest,
  );
}

function credentialsFor(host: string, user: RegistryCredentials): DockerCredentials {
  return DockerCredentials.fromJson({ auths: { [host]: { username: user.username, password: user.password } } });
}

/** GET a blob the way a scanner would: the location's URL and headers, redirects not followed. */
function fetchBlob(location: BlobLocation): Promise<{ status: number; digest: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(location.url, { headers: { ...location.headers } }, (res) => {
      const hash = createHash('sha256');
      res.on('data', (chunk: Buffer) => hash.update(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, digest: `sha256:${hash.digest('hex')}` }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function expectRegistryError(
  promise: Promise<unknown>,
  code: string,
  transient: boolean,
): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as RegistryError).code).toBe(code);
  expect((error as RegistryError).transient).toBe(transient);
  return error as RegistryError;
}

describe('anonymous registry', () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  let first: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry();
    client = clientFor([registry.host]);
    first = await buildImage(work, 'first image');
    await pushImage(first, registry, 'app:v1');
    await pushImage(first, registry, 'docker-app:v1', { format: 'v2s2' });
  });
  afterAll(async () => {
    client.close();
    await registry.dispose();
  });

  it('resolves a tag to the digest skopeo reports, with the platform, config and fetchable layers', async () => {
    const skopeo = await skopeoInspectRaw(registry, 'app:v1');
    expect(await skopeoDigest(registry, 'app:v1')).toBe(skopeo.digest);
    const resolved = await client.resolve(parseImageRef(`${registry.host}/app:v1`), signal());
    expect(resolved.digest).toBe(skopeo.digest);
    expect(resolved.mediaType).toBe(MEDIA_TYPES.ociManifest);
    const manifest = JSON.parse(skopeo.raw.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    expect(resolved.platforms).toHaveLength(1);
    const platform = resolved.platforms?.[0];
    expect(platform?.digest).toBe(skopeo.digest);
    expect(platform?.platform).toBe('linux/amd64');
    expect(platform?.config?.digest).toBe(manifest.config.digest);
    expect(platform?.layers?.map((l) => l.digest)).toEqual(manifest.layers.map((l) => l.digest));
    for (const layer of platform?.layers ?? []) {
      expect(layer.url).toBe(`http://${registry.host}/v2/app/blobs/${layer.digest}`);
      expect(await fetchBlob(layer)).toEqual({ status: 200, digest: layer.digest });
    }
  });

  it('resolves a digest reference to itself, checking the bytes', async () => {
    const { digest } = await skopeoInspectRaw(registry, 'app:v1');
    const resolved = await client.resolve(parseImageRef(`${registry.host}/app@${digest}`), signal());
    expect(resolved.digest).toBe(digest);
    expect(resolved.platforms?.[0]?.layers).toHaveLength(1);
  });

  it('resolves a Docker v2 schema 2 manifest to the digest skopeo reports', async () => {
    const { digest } = await skopeoInspectRaw(registry, 'docker-app:v1');
    const resolved = await client.resolve(parseImageRef(`${registry.host}/docker-app:v1`), signal());
    expect(resolved.digest).toBe(digest);
    expect(resolved.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(resolved.platforms?.[0]?.layers?.[0]?.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
  });

  it('a tag re-pushed to a new image resolves to the new digest', async () => {
    await pushImage(first, registry, 'moving:v1');
    const before = await client.resolve(parseImageRef(`${registry.host}/moving:v1`), signal());
    await pushImage(await buildImage(work, 'second image'), registry, 'moving:v1');
    const after = await client.resolve(parseImageRef(`${registry.host}/moving:v1`), signal());
    expect(after.digest).not.toBe(before.digest);
    expect(after.digest).toBe((await skopeoInspectRaw(registry, 'moving:v1')).digest);
  });

  it('an unknown tag and an unknown repository are permanent, typed errors', async () => {
    await expectRegistryError(
      client.resolve(parseImageRef(`${registry.host}/app:nope`), signal()),
      'MANIFEST_UNKNOWN',
      false,
    );
    // distribution 2.8 answers MANIFEST_UNKNOWN for a tag in an unknown repository too (NAME_UNKNOWN
    // from registries that send it is covered by registry-egress.spec.ts).
    await expectRegistryError(
      client.resolve(parseImageRef(`${registry.host}/nothing-here:v1`), signal()),
      'MANIFEST_UNKNOWN',
      false,
    );
  });

  describe.each([
    { kind: 'OCI index', format: 'oci' as const, manifest: MEDIA_TYPES.ociManifest, index: MEDIA_TYPES.ociIndex },
    {
      kind: 'Docker manifest list',
      format: 'v2s2' as const,
      manifest: MEDIA_TYPES.dockerManifest,
      index: MEDIA_TYPES.dockerList,
    },
  ])('multi-arch: $kind', ({ format, manifest, index }) => {
    const repo = `multi-${format}`;
    let indexDigest: string;
    const platforms: Record<string, { digest: string; layers: string[] }> = {};

    beforeAll(async () => {
      const entries = [];
      for (const [platform, variant] of [
        ['linux/amd64', undefined],
        ['linux/arm64', 'v8'],
        ['linux/s390x', undefined],
      ] as const) {
        const image = await buildImage(work, `${repo} ${platform}`, platform);
        const tag = platform.replace('/', '-');
        await pushImage(image, registry, `${repo}:${tag}`, { format });
        const raw = await skopeoInspectRaw(registry, `${repo}:${tag}`);
        const parsed = JSON.parse(raw.raw.toString()) as { layers: { digest: string }[] };
        platforms[platform] = { digest: raw.digest, layers: parsed.layers.map((l) => l.digest) };
        const [os, architecture] = platform.split('/');
        entries.push({
          mediaType: manifest,
          digest: raw.digest,
          size: raw.raw.length,
          platform: { os, architecture, ...(variant ? { variant } : {}) },
        });
      }
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: index, manifests: entries }));
      indexDigest = await putManifest(registry, repo, 'multi', index, body);
    });

    it('resolves the index digest (as skopeo reports it) and the default platform linux/amd64', async () => {
      expect((await skopeoInspectRaw(registry, `${repo}:multi`)).digest).toBe(indexDigest);
      const resolved = await client.resolve(parseImageRef(`${registry.host}/${repo}:multi`), signal());
      expect(resolved.digest).toBe(indexDigest);
      expect(resolved.mediaType).toBe(index);
      expect(resolved.platforms?.map((p) => [p.platform, p.digest])).toEqual([
        ['linux/amd64', platforms['linux/amd64']?.digest],
      ]);
      expect(resolved.platforms?.[0]?.layers?.map((l) => l.digest)).toEqual(platforms['linux/amd64']?.layers);
    });

    it('takes its platforms from registries.platforms', async () => {
      const configured = RegistryClient.fromConfig({
        registries: {
          insecure: [registry.host],
          allowPrivateNetworks: false,
          privateHosts: [registry.host],
          platforms: ['linux/s390x'],
        },
        policy: { allowedRegistries: [] },
      });
      try {
        const resolved = await configured.resolve(parseImageRef(`${registry.host}/${repo}:multi`), signal());
        expect(resolved.platforms?.map((p) => [p.platform, p.digest])).toEqual([
          ['linux/s390x', platforms['linux/s390x']?.digest],
        ]);
      } finally {
        configured.close();
      }
    });

    it('returns the configured platforms, variant included, and refuses an index without them', async () => {
      const arm = clientFor([registry.host], { platforms: ['linux/arm64/v8', 'linux/s390x'] });
      try {
        const resolved = await arm.resolve(parseImageRef(`${registry.host}/${repo}:multi`), signal());
        expect(resolved.digest).toBe(indexDigest);
        expect(resolved.platforms?.map((p) => p.platform)).toEqual(['linux/arm64/v8', 'linux/s390x']);
        expect(resolved.platforms?.map((p) => p.digest)).toEqual([
          platforms['linux/arm64']?.digest,
          platforms['linux/s390x']?.digest,
        ]);
        const layer = resolved.platforms?.[0]?.layers?.[0];
        expect(layer && (await fetchBlob(layer))).toEqual({ status: 200, digest: layer?.digest });
      } finally {
        arm.close();
      }
      const riscv = clientFor([registry.host], { platforms: ['linux/riscv64'] });
      try {
        await expectRegistryError(
          riscv.resolve(parseImageRef(`${registry.host}/${repo}:multi`), signal()),
          'PLATFORM_NOT_FOUND',
          false,
        );
      } finally {
        riscv.close();
      }
    });
  });
});

describe('htpasswd (Basic) registry', () => {
  const user = { username: 'alice', password: 'correct horse' };
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ kind: 'htpasswd', users: [user] });
    await pushImage(await buildImage(work, 'basic image'), registry, 'private/app:v1');
  });
  afterAll(() => registry.dispose());

  it('resolves with credentials from a .dockerconfigjson (auth base64) and the layers fetch with the headers given', async () => {
    const file = join(work, 'basic-config.json');
    const auth = Buffer.from(`${user.username}:${user.password}`).toString('base64');
    writeFileSync(file, JSON.stringify({ auths: { [`http://${registry.host}`]: { auth } } }));
    const client = clientFor([registry.host], { dockerConfigFile: file });
    try {
      const resolved = await client.resolve(parseImageRef(`${registry.host}/private/app:v1`), signal());
      expect(resolved.digest).toBe((await skopeoInspectRaw(registry, 'private/app:v1')).digest);
      const layer = resolved.platforms?.[0]?.layers?.[0];
      expect(layer?.headers['authorization']).toMatch(/^Basic /);
      expect(layer && (await fetchBlob(layer))).toEqual({ status: 200, digest: layer?.digest });
    } finally {
      client.close();
    }
  });

  it('wrong credentials and no credentials are permanent UNAUTHORIZED errors', async () => {
    const wrong = clientFor([registry.host], {
      credentials: credentialsFor(registry.host, { ...user, password: 'wrong' }),
    });
    const none = clientFor([registry.host]);
    try {
      const error = await expectRegistryError(
        wrong.resolve(parseImageRef(`${registry.host}/private/app:v1`), signal()),
        'UNAUTHORIZED',
        false,
      );
      expect(error.message).toContain('credentials were rejected');
      const anonymous = await expectRegistryError(
        none.resolve(parseImageRef(`${registry.host}/private/app:v1`), signal()),
        'UNAUTHORIZED',
        false,
      );
      expect(anonymous.message).toContain('no credentials configured');
    } finally {
      wrong.close();
      none.close();
    }
  });
});

describe('token (Bearer) registry', () => {
  const user = { username: 'bob', password: 's3cret' };
  let tokens: TestTokenServer;
  let registry: TestRegistry;
  let hosts: string[];

  beforeAll(async () => {
    tokens = await startTokenServer([user]);
    registry = await startRegistry({ kind: 'token', tokenServer: tokens });
    await pushImage(await buildImage(work, 'token image'), registry, 'team/app:v1');
    // The realm is on the registry's own host (another port): reached over plain HTTP and a
    // loopback address only because both are listed explicitly.
    hosts = [registry.host, `127.0.0.1:${tokens.port}`];
  });
  afterAll(async () => {
    await registry.dispose();
    await tokens.dispose();
  });

  it('fetches a token with credentials, reuses it until it expires, then fetches a new one', async () => {
    let now = 1_000_000;
    const client = clientFor(hosts, { credentials: credentialsFor(registry.host, user), now: () => now });
    const ref = parseImageRef(`${registry.host}/team/app:v1`);
    try {
      tokens.expiresIn = 300;
      const skopeo = await skopeoInspectRaw(registry, 'team/app:v1');
      tokens.requests.length = 0;
      const resolved = await client.resolve(ref, signal());
      expect(resolved.digest).toBe(skopeo.digest);
      expect(tokens.requests).toEqual([{ user: 'bob', scope: 'repository:team/app:pull' }]);
      const layer = resolved.platforms?.[0]?.layers?.[0];
      expect(layer?.headers['authorization']).toMatch(/^Bearer /);
      expect(layer?.headersExpireAt).toBe(now + 300_000);
      expect(layer && (await fetchBlob(layer))).toEqual({ status: 200, digest: layer?.digest });

      await client.resolve(ref, signal());
      await client.resolve(parseImageRef(`${registry.host}/team/app@${resolved.digest}`), signal());
      now += 299_000;
      await client.resolve(ref, signal());
      expect(tokens.requests).toHaveLength(1);
      now += 2_000;
      await client.resolve(ref, signal());
      expect(tokens.requests).toHaveLength(2);

      // No expires_in: the token lives 60 s.
      tokens.expiresIn = undefined;
      now += 1_000_000;
      await client.resolve(ref, signal());
      expect(tokens.requests).toHaveLength(3);
      now += 59_000;
      await client.resolve(ref, signal());
      expect(tokens.requests).toHaveLength(3);
      now += 2_000;
      await client.resolve(ref, signal());
      expect(tokens.requests).toHaveLength(4);
    } finally {
      tokens.expiresIn = 300;
      client.close();
    }
  });

  it('wrong credentials (token server 401) and anonymous access (token without rights) are permanent UNAUTHORIZED', async () => {
    const wrong = clientFor(hosts, { credentials: credentialsFor(registry.host, { ...user, password: 'nope' }) });
    const anonymous = clientFor(hosts);
    try {
      const error = await expectRegistryError(
        wrong.resolve(parseImageRef(`${registry.host}/team/app:v1`), signal()),
        'UNAUTHORIZED',
        false,
      );
      expect(error.message).toContain('credentials were rejected');
      await expectRegistryError(
        anonymous.resolve(parseImageRef(`${registry.host}/team/app:v1`), signal()),
        'UNAUTHORIZED',
        false,
      );
    } finally {
      wrong.close();
      anonymous.close();
    }
  });

  it('refuses a realm whose address is not explicitly allowed, even on the same loopback host', async () => {
    // Plain HTTP to the realm is allowed, but its host:port is not in privateHosts: the egress
    // guard refuses the connect and the token server sees nothing.
    const client = RegistryClient.fromConfig(
      {
        registries: {
          insecure: hosts,
          allowPrivateNetworks: false,
          privateHosts: [registry.host],
          platforms: ['linux/amd64'],
        },
        policy: { allowedRegistries: [] },
      },
      { credentials: credentialsFor(registry.host, user) },
    );
    const before = tokens.requests.length;
    try {
      await expectRegistryError(
        client.resolve(parseImageRef(`${registry.host}/team/app:v1`), signal()),
        'EGRESS_DENIED',
        false,
      );
      expect(tokens.requests.length).toBe(before);
    } finally {
      client.close();
    }
  });
});
