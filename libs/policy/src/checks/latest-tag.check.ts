import type { ImageCheck } from './image-check';
import { WRITE_OPERATIONS } from './image-check';

/**
 * `:latest` and untagged references float. A digest pins the image whatever the tag says,
 * so `nginx:latest@sha256:…` and `nginx@sha256:…` pass.
 */
export const latestTagCheck: ImageCheck = {
  name: 'latest-tag',
  operations: WRITE_OPERATIONS,
  check({ ref }, policy) {
    if (!policy.denyLatest || ref.digest !== undefined) return undefined;
    if (ref.tag === undefined) {
      return { rule: 'untagged', message: 'has no tag (it means :latest); use a version tag or pin a digest' };
    }
    if (ref.tag === 'latest') {
      return { rule: 'latest-tag', message: 'uses the tag "latest"; use a version tag or pin a digest' };
    }
    return undefined;
  },
};
