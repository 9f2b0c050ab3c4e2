import type { RegistryResolver } from '@scangate/analysis';
import { DigestOnlyResolver } from '@scangate/analysis';
import type { ScangateConfig } from '@scangate/config';

/**
 * The registry client the image commands use, from config. Until @scangate/registry lands this
 * is the digest-only stub: digest references resolve to themselves, tags fail permanently.
 */
export function registryClientFor(_config: ScangateConfig, _platform?: string): RegistryResolver {
  return new DigestOnlyResolver();
}
