import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { RegistryCredentials, TestRegistry } from './docker-registry';

// Tiny Alpine images for Clair, made without Docker (REAL-PEERS.md): one layer holding
// etc/os-release and an apk database (lib/apk/db/installed) listing the given packages, pushed to
// a test registry through its HTTP API (blob uploads + an OCI manifest PUT).

export interface ApkPackage {
  readonly name: string;
  readonly version: string;
  /** The source package (`o:`); default: the name. */
  readonly origin?: string;
}

export const OS_RELEASE_3_19 =
  'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n' +
  'HOME_URL="https://alpinelinux.org/"\nBUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"\n';

/** A gzipped layer tarball; `salt` goes into a file so that otherwise equal images differ. */
export function alpineLayer(packages: readonly ApkPackage[], salt = ''): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'scangate-alpine-'));
  try {
    mkdirSync(join(root, 'etc'), { recursive: true });
    mkdirSync(join(root, 'lib', 'apk', 'db'), { recursive: true });
    writeFileSync(join(root, 'etc', 'os-release'), OS_RELEASE_3_19);
    writeFileSync(join(root, 'etc', 'scangate-salt'), salt);
    const records = packages.map(
      (p) => `P:${p.name}\nV:${p.version}\nA:x86_64\nT:${p.name} (scangate test)\no:${p.origin ?? p.name}\n`,
    );
    writeFileSync(join(root, 'lib', 'apk', 'db', 'installed'), `${records.join('\n')}\n`);
    const tar = execFileSync('tar', [
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-cf',
      '-',
      '-C',
      root,
      'etc',
      'lib',
    ]);
    return execFileSync('gzip', ['-n', '-c'], { input: tar, maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export interface PushedImage {
  /** `127.0.0.1:P/name:tag`. */
  readonly reference: string;
  /** Digest of the OCI manifest the registry stores. */
  readonly digest: string;
  readonly layerDigest: string;
}

const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Builds an Alpine image with `packages` and pushes it as `name:tag` (Basic auth when given). */
export async function pushAlpineImage(
  registry: TestRegistry,
  nameTag: string,
  packages: readonly ApkPackage[],
  options: { credentials?: RegistryCredentials; salt?: string } = {},
): Promise<PushedImage> {
  const [name = '', tag = 'latest'] = nameTag.split(':');
  const credentials = options.credentials ?? registry.pushCredentials;
  const auth: Record<string, string> = credentials
    ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` }
    : {};
  const layer = alpineLayer(packages, options.salt ?? nameTag);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(gunzipSync(layer))] },
    }),
  );
  const base = `http://${registry.host}/v2/${name}`;
  await uploadBlob(base, config, auth);
  await uploadBlob(base, layer, auth);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  );
  const put = await fetch(`${base}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`PUT manifest ${nameTag}: HTTP ${put.status} ${await put.text()}`);
  return { reference: `${registry.host}/${nameTag}`, digest: sha256(manifest), layerDigest: sha256(layer) };
}

async function uploadBlob(base: string, blob: Buffer, auth: Record<string, string>): Promise<void> {
  const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST', headers: auth });
  const location = start.headers.get('location');
  if (start.status !== 202 || !location)
    throw new Error(`blob upload start: HTTP ${start.status} ${await start.text()}`);
  const url = new URL(location, base);
  url.searchParams.set('digest', sha256(blob));
  const put = await fetch(url, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: blob,
  });
  if (put.status !== 201) throw new Error(`blob upload ${sha256(blob)}: HTTP ${put.status} ${await put.text()}`);
}
