import type { BlobLocation, RegistryResolver, ResolvedImage } from '@scangate/analysis';
import type { DigestResolver } from './manifest-pin';

/** `image pin`'s resolver over the registry client: the manifest digest the registry serves now. */
export function digestResolverOf(registry: RegistryResolver): DigestResolver {
  return async (ref) => (await registry.resolve(ref, new AbortController().signal)).digest;
}

export interface BlobView {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly url: string;
  readonly urls?: readonly string[];
}

export interface ResolvedImageView {
  readonly reference: string;
  readonly digest: string;
  readonly mediaType?: string;
  readonly platforms: readonly {
    readonly digest: string;
    readonly platform: string;
    readonly mediaType?: string;
    readonly config?: BlobView;
    readonly layers?: readonly BlobView[];
  }[];
}

/**
 * What `scangate image resolve` prints: the client's ResolvedImage without the request headers
 * a scanner would send for each blob. Those carry the registry's bearer token or Basic
 * credentials, which have no business in a terminal or a CI log.
 */
export function viewOf(resolved: ResolvedImage): ResolvedImageView {
  return {
    reference: resolved.ref.canonical,
    digest: resolved.digest,
    ...(resolved.mediaType !== undefined ? { mediaType: resolved.mediaType } : {}),
    platforms: (resolved.platforms ?? []).map((platform) => ({
      digest: platform.digest,
      platform: platform.platform,
      ...(platform.mediaType !== undefined ? { mediaType: platform.mediaType } : {}),
      ...(platform.config !== undefined ? { config: blobView(platform.config) } : {}),
      ...(platform.layers !== undefined ? { layers: platform.layers.map(blobView) } : {}),
    })),
  };
}

function blobView(blob: BlobLocation): BlobView {
  return {
    mediaType: blob.mediaType,
    digest: blob.digest,
    size: blob.size,
    url: blob.url,
    ...(blob.urls !== undefined ? { urls: blob.urls } : {}),
  };
}
