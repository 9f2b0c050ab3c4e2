/** One problem with the configuration. */
export interface ConfigIssue {
  /**
   * What is wrong: a config key (`cache.allowTTL`, `admission.namespaces[0].mode`), an
   * environment variable (`SCANGATE_CACHE_ALLOWTL`) or the config file's path.
   */
  readonly key: string;
  /** Reads after "<key>: "; ends with `(got "abc" from SCANGATE_CACHE_ALLOWTTL)` where that helps. */
  readonly message: string;
}

/** The configuration cannot be used. The message names every problem, one per line. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  override readonly name = 'ConfigError';

  constructor(
    readonly issues: readonly ConfigIssue[],
    /** The config file, or `embedded`. */
    readonly source: string,
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super([`invalid configuration (${source}), ${count}:`, ...issues.map((i) => `${i.key}: ${i.message}`)].join('\n'));
  }
}
