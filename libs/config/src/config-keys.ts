import { type KeyKind, type KeySpec, keysOf, type SectionClass } from './config-key.decorators';
import { ScangateConfigSchema } from './schema/scangate.config';

/** One leaf of the configuration, as the README documents it. */
export interface ConfigKeyInfo {
  /** Dotted path; entries of a list of sections read `admission.namespaces[].mode`. */
  readonly key: string;
  /** The environment variable that overrides it (absent inside list entries). */
  readonly env?: string;
  readonly type: string;
  /** Default as JSON text; absent when the key has none. */
  readonly default?: string;
  readonly range?: string;
  readonly description: string;
  readonly secret: boolean;
}

/** A key an environment variable can set. */
export interface EnvKey {
  readonly path: readonly string[];
  readonly key: string;
  readonly env: string;
  readonly spec: KeySpec;
}

export const ENV_PREFIX = 'SCANGATE_';

/** `SCANGATE_` + path segments upper-cased and joined by `_`: `cache.allowTTL` → `SCANGATE_CACHE_ALLOWTTL`. */
export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.map((segment) => segment.toUpperCase()).join('_');
}

interface Leaf {
  readonly path: readonly string[];
  /** Inside a list of sections: not addressable by one environment variable. */
  readonly inList: boolean;
  readonly spec: KeySpec;
  readonly defaultValue: unknown;
}

function* leaves(section: SectionClass, path: readonly string[], inList: boolean): Generator<Leaf> {
  const defaults = new section() as Record<string, unknown>;
  for (const spec of keysOf(section)) {
    const here = [...path, spec.name];
    if (spec.kind === 'section' && spec.section) {
      yield* leaves(spec.section(), here, inList);
    } else {
      yield { path: here, inList, spec, defaultValue: defaults[spec.name] };
      if (spec.kind === 'sections' && spec.section) {
        yield* leaves(spec.section(), [...path, `${spec.name}[]`], true);
      }
    }
  }
}

const TYPE_NAMES: Record<KeyKind, string> = {
  int: 'integer',
  boolean: 'boolean',
  string: 'string',
  enum: 'enum',
  list: 'list of strings',
  map: 'map of strings',
  section: 'mapping',
  sections: 'list of mappings',
};

let envKeysCache: readonly EnvKey[] | undefined;

/** Every key an environment variable can set (leaves, plus lists of sections as JSON). */
export function envKeys(): readonly EnvKey[] {
  envKeysCache ??= [...leaves(ScangateConfigSchema, [], false)]
    .filter((leaf) => !leaf.inList)
    .map((leaf) => ({ path: leaf.path, key: leaf.path.join('.'), env: envName(leaf.path), spec: leaf.spec }));
  return envKeysCache;
}

/** Every configuration key with its environment variable, type, default and range (for docs). */
export function describeConfigKeys(): readonly ConfigKeyInfo[] {
  return [...leaves(ScangateConfigSchema, [], false)].map((leaf) => {
    const defaultValue = leaf.defaultValue;
    const hasDefault = defaultValue !== undefined;
    return {
      key: leaf.path.join('.'),
      ...(leaf.inList ? {} : { env: envName(leaf.path) }),
      type: TYPE_NAMES[leaf.spec.kind],
      ...(hasDefault ? { default: JSON.stringify(defaultValue) } : {}),
      ...(leaf.spec.range ? { range: leaf.spec.range } : {}),
      description: leaf.spec.description,
      secret: leaf.spec.secret,
    };
  });
}
