export * from './config.types';
export { ConfigError, type ConfigIssue } from './config.error';
export { type ConfigKeyInfo, describeConfigKeys, envName } from './config-keys';
export { CONFIG_FILE_ENV } from './env-overrides';
export { EMBEDDED_SOURCE, type LoadConfigOptions, type LoadedConfig, loadConfig } from './load-config';
