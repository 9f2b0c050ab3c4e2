import type { AnalyzerType } from '../config.types';
import { EnumKey, IntKey, ListKey, SectionKey, StringKey } from '../config-key.decorators';
import { base64, httpUrl, noSpaces, platform } from '../formats';

export const ANALYZER_TYPES: readonly AnalyzerType[] = ['none', 'anchore', 'clair'];
export const SEVERITIES = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'] as const;
export const ANCHORE_API_VERSIONS = ['auto', 'v1', 'v2'] as const;

// url, username and password are required only when the section is the selected analyzer: that
// rule lives in config-rules.ts, because class-validator sees one section at a time.

export class AnchoreSchema {
  @StringKey('Anchore API base URL (Engine: http://anchore:8228; the /v1 or /v2 path is added).', {
    optional: true,
    format: httpUrl,
  })
  url?: string;

  @StringKey('Anchore user (HTTP Basic).', { optional: true })
  username?: string;

  @StringKey('Anchore password.', { optional: true, secret: true })
  password?: string;

  @StringKey('File holding the Anchore password (content trimmed); exclusive with password.', {
    optional: true,
    file: { secretFor: 'password' },
  })
  passwordFile?: string;

  @StringKey('Account to act in (x-anchore-account header).', { optional: true })
  account?: string;

  @StringKey("Policy bundle id for checks; absent: the account's active policy.", { optional: true, format: noSpaces })
  policyId?: string;

  @EnumKey(ANCHORE_API_VERSIONS, 'API version; auto asks /version (Engine v1 or Enterprise v2).')
  apiVersion: (typeof ANCHORE_API_VERSIONS)[number] = 'auto';
}

export class ClairNotifierSchema {
  @StringKey("Request header carrying the shared secret (set it in Clair's notifier.webhook.headers).", {
    format: noSpaces,
  })
  header = 'X-Scangate-Notifier-Token';

  @StringKey('Shared secret the header must carry; absent (with tokenFile): the endpoint answers 404.', {
    optional: true,
    secret: true,
  })
  token?: string;

  @StringKey('File holding the notifier secret (content trimmed); exclusive with token.', {
    optional: true,
    file: { secretFor: 'token' },
  })
  tokenFile?: string;

  @IntKey('Notifications fetched per page from Clair.', { min: 1, max: 1000 })
  pageSize = 500;
}

export class AnalyzerBreakerSchema {
  @IntKey('Consecutive transient failures (timeouts, 5xx, refused connections) that open the circuit.', {
    min: 1,
    max: 1000,
  })
  failureThreshold = 5;

  @IntKey('Milliseconds the circuit stays open (jobs are delayed, not failed) before one trial call.', {
    min: 100,
    max: 3600000,
  })
  openMs = 30000;
}

export class ClairSchema {
  @StringKey('Clair v4 base URL (combo mode: http://clair:6060).', { optional: true, format: httpUrl })
  url?: string;

  @StringKey("Base64 pre-shared key (Clair's auth.psk.key) used to sign HS256 JWTs; absent: no auth.", {
    optional: true,
    secret: true,
    format: base64,
  })
  psk?: string;

  @StringKey('File holding the PSK (content trimmed); exclusive with psk.', {
    optional: true,
    file: { secretFor: 'psk' },
  })
  pskFile?: string;

  @StringKey("JWT issuer; must be one of Clair's auth.psk.iss.", { format: noSpaces })
  issuer = 'scangate';

  @EnumKey(SEVERITIES, 'A vulnerability that has a fix denies the image from this normalized severity up.')
  maxSeverity: (typeof SEVERITIES)[number] = 'High';

  @EnumKey(SEVERITIES, 'A vulnerability without a fix denies the image from this normalized severity up.')
  maxUnfixedSeverity: (typeof SEVERITIES)[number] = 'Critical';

  @ListKey('Vulnerability ids (CVE-…, GHSA-…) that never deny.', { format: noSpaces })
  ignore: string[] = [];

  @StringKey('Platform analysed when an image is a multi-platform index.', { format: platform })
  platform = 'linux/amd64';

  @IntKey('Milliseconds one index_report POST may take: Clair indexes synchronously, downloading every layer.', {
    min: 1000,
    max: 3600000,
  })
  indexTimeoutMs = 300000;

  @SectionKey(() => ClairNotifierSchema, "Receiver of Clair's notifier webhook (POST /admin/v1/notifications/clair).")
  notifier: ClairNotifierSchema = new ClairNotifierSchema();
}

export class AnalyzerSchema {
  @EnumKey(ANALYZER_TYPES, 'Image analysis service; none: local rules only.')
  type: AnalyzerType = 'none';

  @SectionKey(() => AnchoreSchema, 'Anchore Engine / Enterprise (used when type is anchore).', { optional: true })
  anchore?: AnchoreSchema;

  @SectionKey(() => ClairSchema, 'Clair v4 (used when type is clair).', { optional: true })
  clair?: ClairSchema;

  @IntKey('Milliseconds one call to the analyzer may take (Clair indexing: analyzer.clair.indexTimeoutMs).', {
    min: 100,
    max: 600000,
  })
  requestTimeoutMs = 10000;

  @IntKey('Retries of a call that failed transiently, with exponential backoff, before the attempt fails.', {
    min: 0,
    max: 10,
  })
  retries = 2;

  @IntKey('Milliseconds between polls while the analyzer is still working on an image (the job waits off-slot).', {
    min: 100,
    max: 600000,
  })
  pollIntervalMs = 5000;

  @SectionKey(() => AnalyzerBreakerSchema, 'Circuit breaker around the analyzer; its state is a metric.')
  breaker: AnalyzerBreakerSchema = new AnalyzerBreakerSchema();
}
