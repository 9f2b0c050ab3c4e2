import type { ImageRef } from './image-ref.types';

/** Whether the reference names content by digest (`…@sha256:…`), tag or no tag. */
export function isDigestPinned(ref: ImageRef): boolean {
  return ref.digest !== undefined;
}

/** The fully qualified repository, without tag or digest: `docker.io/library/nginx`. */
export function repositoryOf(ref: ImageRef): string {
  return ref.name;
}
