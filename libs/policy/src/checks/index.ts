import { allowedRegistriesCheck } from './allowed-registries.check';
import { deniedImagesCheck } from './denied-images.check';
import type { ImageCheck } from './image-check';
import { latestTagCheck } from './latest-tag.check';
import { requireDigestCheck } from './require-digest.check';

export type { ImageCheck, ImageCheckFinding } from './image-check';

/** The local rules, in the order their findings are reported. Every finding is kept. */
export const LOCAL_CHECKS: readonly ImageCheck[] = [
  deniedImagesCheck,
  allowedRegistriesCheck,
  latestTagCheck,
  requireDigestCheck,
];
