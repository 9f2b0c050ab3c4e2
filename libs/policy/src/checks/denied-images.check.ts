import type { ImageCheck } from './image-check';
import { WRITE_OPERATIONS } from './image-check';

export const deniedImagesCheck: ImageCheck = {
  name: 'denied-images',
  operations: WRITE_OPERATIONS,
  check({ ref }, policy) {
    const pattern = policy.deniedImages.find((p) => p.matches(ref));
    return pattern && { rule: 'image-denied', message: `matches denied image pattern "${pattern.source}"` };
  },
};
