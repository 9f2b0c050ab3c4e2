import type { PlatformImage, ResolvedImage } from '@scangate/analysis';
import type { ClairManifest } from './clair-wire.types';

export type ManifestChoice =
  | {
      readonly kind: 'manifest';
      readonly platform: PlatformImage;
      readonly manifest: ClairManifest;
      readonly headersExpireAt?: number;
    }
  | { readonly kind: 'unusable'; readonly reason: string };

/**
 * The Clair manifest for an image (CONTRACTS.md §2.4): the platform manifest equal to `platform`
 * (or the image's only manifest when the registry did not learn its platform), its digest as
 * `hash`, its compressed layer blobs in order, each with the URL and registry headers Clair
 * needs to download it itself.
 */
export function clairManifestOf(image: ResolvedImage, platform: string): ManifestChoice {
  const platforms = image.platforms ?? [];
  const chosen =
    platforms.find((candidate) => candidate.platform === platform) ??
    (platforms.length === 1 && platforms[0]?.platform === '' ? platforms[0] : undefined);
  if (!chosen) {
    const offered = platforms.map((p) => p.platform || '(unknown)').join(', ');
    return {
      kind: 'unusable',
      reason:
        platforms.length === 0
          ? `${image.ref.canonical}: the registry client gave no platform manifest to analyse`
          : `${image.ref.canonical} has no ${platform} manifest (has: ${offered}; see analyzer.clair.platform)`,
    };
  }
  const layers = chosen.layers ?? [];
  // Clair answers 400 "bogus manifest" to an empty layer list.
  if (layers.length === 0)
    return { kind: 'unusable', reason: `${image.ref.canonical} (${chosen.digest}): no layers to analyse` };
  let headersExpireAt: number | undefined;
  const manifest: ClairManifest = {
    hash: chosen.digest,
    layers: layers.map((layer) => {
      if (layer.headersExpireAt !== undefined)
        headersExpireAt = Math.min(headersExpireAt ?? Infinity, layer.headersExpireAt);
      return {
        hash: layer.digest,
        uri: layer.url,
        headers: Object.fromEntries(Object.entries(layer.headers).map(([name, value]) => [name, [value]])),
      };
    }),
  };
  return {
    kind: 'manifest',
    platform: chosen,
    manifest,
    ...(headersExpireAt !== undefined ? { headersExpireAt } : {}),
  };
}
