import { createHash } from 'node:crypto';
import { type ContentDescriptor, RegistryError } from '@scangate/analysis';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** The Accept header for manifests: all four, so the digest is the one runtimes pull (CONTRACTS §3.2). */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(', ');

const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);

export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface IndexEntry extends ContentDescriptor {
  readonly platform?: PlatformSpec;
}

export type ParsedManifest =
  | { readonly kind: 'index'; readonly mediaType: string; readonly manifests: readonly IndexEntry[] }
  | {
      readonly kind: 'manifest';
      readonly mediaType: string;
      readonly config: ContentDescriptor;
      readonly layers: readonly ContentDescriptor[];
    };

const DIGEST = /^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/** The digest of exactly these bytes, with the algorithm of `like` (default sha256). */
export function digestOf(bytes: Buffer, like = 'sha256:'): string {
  const algorithm = like.slice(0, like.indexOf(':'));
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** `application/vnd.oci.image.index.v1+json; charset=utf-8` → the bare type, lowercased. */
export function bareMediaType(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return bare === '' ? undefined : bare;
}

/**
 * Parses an index or image manifest. The media type is the response's Content-Type, or the
 * document's `mediaType` when the registry sent none; when both are present they must agree.
 */
export function parseManifest(body: Buffer, contentType: string | undefined, what: string): ParsedManifest {
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid(what, 'not JSON');
  }
  if (!isRecord(document)) throw invalid(what, 'not a JSON object');
  const declared = typeof document['mediaType'] === 'string' ? document['mediaType'] : undefined;
  const served = bareMediaType(contentType);
  const fromHeader = served !== undefined && served !== 'application/json' && served !== 'application/octet-stream';
  const mediaType = fromHeader ? served : declared;
  if (mediaType === undefined) throw invalid(what, 'no media type');
  if (declared !== undefined && declared !== mediaType) {
    throw invalid(what, `served as ${mediaType} but declares ${declared}`);
  }
  if (INDEX_TYPES.has(mediaType)) {
    const manifests = document['manifests'];
    if (!Array.isArray(manifests)) throw invalid(what, 'index without "manifests"');
    return {
      kind: 'index',
      mediaType,
      manifests: manifests.map((entry, i) => indexEntry(entry, `${what} manifests[${i}]`)),
    };
  }
  if (MANIFEST_TYPES.has(mediaType)) {
    const layers = document['layers'];
    if (!Array.isArray(layers)) throw invalid(what, 'manifest without "layers"');
    return {
      kind: 'manifest',
      mediaType,
      config: descriptor(document['config'], `${what} config`),
      layers: layers.map((layer, i) => descriptor(layer, `${what} layers[${i}]`)),
    };
  }
  throw new RegistryError('UNSUPPORTED_MEDIA_TYPE', `${what}: unsupported manifest media type ${mediaType}`, false);
}

/** `os/architecture[/variant]`. */
export function platformName(platform: PlatformSpec): string {
  return [platform.os, platform.architecture, ...(platform.variant ? [platform.variant] : [])].join('/');
}

/** Parses `linux/amd64`, `linux/arm64/v8`. */
export function parsePlatform(text: string): PlatformSpec {
  const [os, architecture, variant, extra] = text.split('/');
  if (!os || !architecture || extra !== undefined || variant === '') {
    throw new Error(`platform must be os/architecture[/variant], got ${JSON.stringify(text)}`);
  }
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/**
 * The entries of an index to analyse: for each wanted platform (in order), the first entry whose
 * os and architecture match and whose variant matches when the wanted platform names one.
 */
export function selectPlatforms(entries: readonly IndexEntry[], wanted: readonly PlatformSpec[]): IndexEntry[] {
  const chosen: IndexEntry[] = [];
  for (const want of wanted) {
    const match = entries.find(
      (entry) =>
        entry.platform !== undefined &&
        entry.platform.os === want.os &&
        entry.platform.architecture === want.architecture &&
        (want.variant === undefined || entry.platform.variant === want.variant) &&
        MANIFEST_TYPES.has(entry.mediaType),
    );
    if (match && !chosen.includes(match)) chosen.push(match);
  }
  return chosen;
}

function indexEntry(value: unknown, what: string): IndexEntry {
  const base = descriptor(value, what);
  const platform = isRecord(value) ? value['platform'] : undefined;
  if (!isRecord(platform)) return base;
  const { os, architecture, variant } = platform;
  if (typeof os !== 'string' || typeof architecture !== 'string') return base;
  return {
    ...base,
    platform: { os, architecture, ...(typeof variant === 'string' && variant !== '' ? { variant } : {}) },
  };
}

function descriptor(value: unknown, what: string): ContentDescriptor {
  if (!isRecord(value)) throw invalid(what, 'descriptor is not an object');
  const { mediaType, digest, size, urls, annotations } = value;
  if (typeof mediaType !== 'string') throw invalid(what, 'descriptor without mediaType');
  if (!isDigest(digest)) throw invalid(what, `descriptor digest ${JSON.stringify(digest)} is not a supported digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw invalid(what, 'descriptor size invalid');
  return {
    mediaType,
    digest,
    size,
    ...(Array.isArray(urls) && urls.every((u) => typeof u === 'string') ? { urls: urls as string[] } : {}),
    ...(isRecord(annotations) ? { annotations: annotations as Record<string, string> } : {}),
  };
}

function invalid(what: string, why: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', `${what}: ${why}`, false);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
