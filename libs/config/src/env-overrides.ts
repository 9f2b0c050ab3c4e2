import type { ConfigIssue } from './config.error';
import { cleanTree, isMapping, type RawConfig } from './config-file';
import { ENV_PREFIX, type EnvKey, envKeys } from './config-keys';
import { suggest } from './suggest';

/** The variable that set a key, and its value as written. */
export interface EnvOverride {
  readonly env: string;
  readonly value: string;
}

export interface EnvResult {
  readonly issues: readonly ConfigIssue[];
  /** Config key (`cache.allowTTL`) → the variable that set it. */
  readonly applied: ReadonlyMap<string, EnvOverride>;
}

/** Names the config file itself; not a key. */
export const CONFIG_FILE_ENV = 'SCANGATE_CONFIG';

// Kubernetes injects `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT=tcp://…` and friends for every
// Service in the namespace (enableServiceLinks); a Service called `scangate…` would otherwise
// make the webhook refuse to start. None of these shapes is a config key.
const SERVICE_LINK_NAME = /_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)$/;
const SERVICE_LINK_VALUE = /^(tcp|udp|sctp):\/\/[^/]+:\d+$/;

function isServiceLink(name: string, value: string): boolean {
  return SERVICE_LINK_NAME.test(name) || (name.endsWith('_PORT') && SERVICE_LINK_VALUE.test(value));
}

type Coerced = { readonly value: unknown } | { readonly error: string };

/**
 * Converts a variable's text to the key's type. Text that does not convert is kept as is, so
 * that validation reports it with the key's own rule (`must be an integer between …`).
 */
function coerce(key: EnvKey, text: string): Coerced | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return key.spec.kind === 'list' ? { value: [] } : undefined;
  switch (key.spec.kind) {
    case 'int':
      return { value: /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : text };
    case 'boolean':
      if (/^(true|1)$/i.test(trimmed)) return { value: true };
      if (/^(false|0)$/i.test(trimmed)) return { value: false };
      return { value: text };
    case 'list':
      if (trimmed.startsWith('[')) return parseJson(trimmed, 'a JSON array');
      return {
        value: trimmed
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ''),
      };
    case 'map':
    case 'sections':
    case 'section':
      return parseJson(trimmed, key.spec.kind === 'map' ? 'a JSON object' : 'JSON');
    case 'string':
    case 'enum':
      return { value: text };
  }
}

function parseJson(text: string, what: string): Coerced {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `must be ${what}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function setPath(raw: RawConfig, path: readonly string[], value: unknown): void {
  let node: Record<string, unknown> = raw;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment] ?? {};
    // A section the file gave as a scalar is reported by validation; the override waits for a fix.
    if (!isMapping(next)) return;
    node[segment] = next;
    node = next;
  }
  const leaf = path[path.length - 1];
  if (leaf !== undefined) node[leaf] = value;
}

function deletePath(raw: RawConfig, path: readonly string[]): void {
  let node: unknown = raw;
  for (const segment of path.slice(0, -1)) node = isMapping(node) ? node[segment] : undefined;
  const leaf = path[path.length - 1];
  if (isMapping(node) && leaf !== undefined) delete node[leaf];
}

function hasPath(raw: RawConfig, path: readonly string[]): boolean {
  let node: unknown = raw;
  for (const segment of path) {
    if (!isMapping(node) || !Object.hasOwn(node, segment)) return false;
    node = node[segment];
  }
  return true;
}

/**
 * Applies every `SCANGATE_*` variable to the file's content (in place). Names are matched
 * case-insensitively after the prefix; an unknown name is an error, so is a key set twice.
 * An empty value leaves a scalar key alone and makes a list empty.
 */
export function applyEnvOverrides(raw: RawConfig, env: Readonly<Record<string, string | undefined>>): EnvResult {
  const keys = envKeys();
  const byName = new Map(keys.map((key) => [key.env, key]));
  const issues: ConfigIssue[] = [];
  const applied = new Map<string, EnvOverride>();

  for (const name of Object.keys(env).sort()) {
    const text = env[name];
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || text === undefined) continue;
    const key = byName.get(name.toUpperCase());
    if (key === undefined || (key.spec.kind === 'int' && SERVICE_LINK_VALUE.test(text))) {
      if (isServiceLink(name, text)) continue;
      const near = suggest(name, [...byName.keys(), CONFIG_FILE_ENV]);
      issues.push({
        key: name,
        message: `unknown environment variable${near ? `; did you mean ${near}?` : ''}`,
      });
      continue;
    }
    const earlier = applied.get(key.key);
    if (earlier !== undefined) {
      issues.push({ key: key.key, message: `set by both ${earlier.env} and ${name}; keep one` });
      continue;
    }
    const coerced = coerce(key, text);
    if (coerced === undefined) continue;
    if ('error' in coerced) {
      issues.push({ key: key.key, message: `${coerced.error} (from ${name})` });
      continue;
    }
    setPath(raw, key.path, cleanTree(coerced.value, key.key, issues));
    applied.set(key.key, { env: name, value: text });
  }

  // A secret given by the environment replaces the file's, whichever form each uses.
  for (const key of keys) {
    const sibling = key.spec.file?.secretFor;
    if (sibling === undefined) continue;
    const valuePath = [...key.path.slice(0, -1), sibling];
    const valueKey = valuePath.join('.');
    if (applied.has(key.key) && !applied.has(valueKey)) deletePath(raw, valuePath);
    if (applied.has(valueKey) && !applied.has(key.key) && hasPath(raw, key.path)) deletePath(raw, key.path);
  }

  return { issues, applied };
}
