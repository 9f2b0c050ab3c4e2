export { ClairAnalyzer } from './clair.analyzer';
export { ClairClient, type ClairClientDeps } from './clair-client';
export { clairManifestOf } from './clair-manifest';
export { consumeNotification, readNotification, type AffectedManifests } from './clair-notifications';
export {
  type ClairPolicy,
  denyReason,
  deniedFindings,
  type Finding,
  MAX_REASON_LENGTH,
  policyFingerprint,
  SEVERITY_ORDER,
} from './clair-policy';
export { ClairPskToken, signHs256 } from './clair-psk-token';
export type * from './clair-wire.types';
