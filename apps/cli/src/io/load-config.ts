import type { LoadedConfig } from '@scangate/config';
import { ConfigError, loadConfig } from '@scangate/config';

/** Loads and validates config for a command; a bad config ends the process with every bad key named. */
export function loadConfigOrExit(file: string | undefined): LoadedConfig {
  try {
    return loadConfig({ ...(file !== undefined ? { file } : {}), env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`scangate: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
