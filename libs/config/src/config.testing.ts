// Helpers for this library's specs only (not exported from index.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config.error';
import { type LoadedConfig, loadConfig } from './load-config';

export type Env = Record<string, string | undefined>;

/** A temporary directory removed by `cleanup()` (call it in afterEach). */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'scangate-config-'));

  /** Writes a file; objects are written as JSON (which is YAML). */
  write(name: string, content: string | object): string {
    const file = join(this.path, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** loadConfig with `content` as the config file (none: embedded mode). */
export function load(dir: TempDir, content?: string | object, env: Env = {}): LoadedConfig {
  return loadConfig({ ...(content === undefined ? {} : { file: dir.write('scangate.yaml', content) }), env });
}

/** The ConfigError loadConfig throws; fails the test if it does not throw one. */
export function loadError(dir: TempDir, content?: string | object, env: Env = {}): ConfigError {
  try {
    load(dir, content, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

/** The issue lines of a ConfigError (its message without the header). */
export function issueLines(error: ConfigError): string[] {
  return error.message.split('\n').slice(1);
}
