import type { ScangateConfig } from '@scangate/config';
import { RegistryClient } from '@scangate/registry';

/**
 * The registry client the image commands use: the same `registries.*` settings and egress guard
 * (`policy.allowedRegistries`, private networks) as the worker, and `platform` (`os/arch`) picked
 * from an index instead of the default linux/amd64.
 */
export function registryClientFor(config: ScangateConfig, platform?: string): RegistryClient {
  return RegistryClient.fromConfig(config, platform !== undefined ? { platforms: [platform] } : {});
}
