import type { ImageRef } from '@scangate/image-ref';

/**
 * How scangate names an image to Anchore (CONTRACTS.md §1.3). Anchore's parser defaults the
 * registry to `docker.io` and the tag to `latest` but never adds `library/`, so `nginx:1.25`
 * becomes the tag record `docker.io/nginx:1.25` while `docker.io/library/nginx:1.25` is another
 * record. scangate's references are normalised (`docker.io/library/nginx`); we spell Docker Hub
 * official images the way Anchore records `nginx:1.25` (what `anchore-cli image add nginx:1.25`
 * and Anchore's own admission controller produce), so analyses an operator started by hand are
 * found and reused. Every call (add, lookup, check) uses this one spelling.
 */
export function anchoreRepository(ref: ImageRef): string {
  const official =
    ref.domain === 'docker.io' && ref.path.startsWith('library/') && !ref.path.slice('library/'.length).includes('/');
  return official ? `docker.io/${ref.path.slice('library/'.length)}` : ref.name;
}

/**
 * The tag Anchore associates with the image and evaluates the policy for (`registry/repo:tag`).
 * A reference pinned by digest alone has no tag; Anchore requires one, and `latest` is the tag
 * its own parser would assume.
 */
export function anchoreTag(ref: ImageRef): string {
  return `${anchoreRepository(ref)}:${ref.tag ?? 'latest'}`;
}

/** The digest pull string Anchore fetches the image by (`registry/repo@sha256:…`). */
export function anchorePullString(ref: ImageRef, digest: string): string {
  return `${anchoreRepository(ref)}@${digest}`;
}
