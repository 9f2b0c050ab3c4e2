// Clair v4 wire types (CONTRACTS.md §2; specs/clair/v4.9.0/types-v1): only the fields scangate reads.

/** `POST /indexer/api/v1/index_report` body. */
export interface ClairManifest {
  readonly hash: string;
  readonly layers: readonly ClairLayer[];
}

export interface ClairLayer {
  readonly hash: string;
  readonly uri: string;
  /** Clair wants every header as an array of values. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly media_type?: string;
}

/** claircore's indexer states; only IndexFinished is accepted by the matcher. */
export type IndexState =
  | 'CheckManifest'
  | 'FetchLayers'
  | 'ScanLayers'
  | 'Coalesce'
  | 'IndexManifest'
  | 'IndexError'
  | 'IndexFinished'
  | 'Terminal';

export interface ClairIndexReport {
  readonly manifest_hash: string;
  readonly state: IndexState | string;
  readonly success?: boolean;
  readonly err?: string;
}

export type NormalizedSeverity = 'Unknown' | 'Negligible' | 'Low' | 'Medium' | 'High' | 'Critical';

export interface ClairPackage {
  readonly id?: string;
  readonly name: string;
  readonly version?: string;
}

export interface ClairVulnerability {
  readonly id: string;
  readonly name: string;
  readonly links?: string;
  readonly normalized_severity: NormalizedSeverity | string;
  readonly severity?: string;
  readonly fixed_in_version?: string;
  readonly package?: ClairPackage | null;
}

export interface ClairVulnerabilityReport {
  readonly manifest_hash: string;
  readonly packages?: Readonly<Record<string, ClairPackage>>;
  readonly vulnerabilities?: Readonly<Record<string, ClairVulnerability>>;
  readonly package_vulnerabilities?: Readonly<Record<string, readonly string[]>>;
}

/** `GET /notifier/api/v1/notification/{id}`. */
export interface ClairNotificationPage {
  readonly page: { readonly size?: number; readonly next?: string };
  readonly notifications: readonly ClairNotification[] | null;
}

export interface ClairNotification {
  readonly id: string;
  readonly manifest: string;
  readonly reason: 'added' | 'removed' | string;
}
