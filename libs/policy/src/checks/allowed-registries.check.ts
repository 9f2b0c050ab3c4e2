import type { ImageCheck } from './image-check';
import { WRITE_OPERATIONS } from './image-check';

export const allowedRegistriesCheck: ImageCheck = {
  name: 'allowed-registries',
  operations: WRITE_OPERATIONS,
  check({ ref }, policy) {
    if (policy.allowedRegistries.allows(ref)) return undefined;
    return {
      rule: 'registry-not-allowed',
      message: `registry ${ref.domain}/${ref.path} is not allowed; use one of: ${policy.allowedRegistries.describe()}`,
    };
  },
};
