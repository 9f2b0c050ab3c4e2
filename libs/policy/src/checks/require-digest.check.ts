import type { ImageCheck } from './image-check';
import { WRITE_OPERATIONS } from './image-check';

export const requireDigestCheck: ImageCheck = {
  name: 'require-digest',
  operations: WRITE_OPERATIONS,
  check({ ref }, policy) {
    if (!policy.requireDigest || ref.digest !== undefined) return undefined;
    return {
      rule: 'digest-required',
      message: 'is not pinned by digest; use name:tag@sha256:… (scangate image pin rewrites manifests)',
    };
  },
};
