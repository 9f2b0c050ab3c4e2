export { RegistryClient, type RegistryClientConfig, type RegistryClientOptions, retryAfterMs } from './registry-client';
export {
  EgressGuard,
  type EgressGuardOptions,
  type DnsLookup,
  type ResolvedAddress,
  HostList,
  systemLookup,
} from './egress-guard';
export { forbiddenAddressReason } from './address-ranges';
export { type SocketConnect, defaultSocketConnect } from './guarded-transport';
export { DockerCredentials, type RegistryCredential, credentialKey } from './docker-config';
export { type AuthChallenge, parseWwwAuthenticate } from './www-authenticate';
export {
  MANIFEST_ACCEPT,
  MEDIA_TYPES,
  type PlatformSpec,
  digestOf,
  parseManifest,
  parsePlatform,
  platformName,
  selectPlatforms,
} from './manifest';
export { DEFAULT_TOKEN_LIFETIME_S, type RegistryEndpoint } from './registry-auth';
