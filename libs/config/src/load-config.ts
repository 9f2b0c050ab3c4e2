import { randomBytes } from 'node:crypto';
import { ConfigError, type ConfigIssue } from './config.error';
import type { ScangateConfig } from './config.types';
import { type FileResult, readConfigFile } from './config-file';
import { checkCrossKeyRules, readConfiguredFiles } from './config-rules';
import { configWarnings } from './config-warnings';
import { applyEnvOverrides, CONFIG_FILE_ENV, type EnvOverride } from './env-overrides';
import { type KeyProblem, validateSchema } from './schema-validation';
import { ScangateConfigSchema } from './schema/scangate.config';
import { toScangateConfig } from './to-config';

export interface LoadConfigOptions {
  /** The config file (`--config`); absent: `env.SCANGATE_CONFIG`; neither: embedded mode. */
  readonly file?: string;
  /** The process environment; the only place `SCANGATE_*` variables are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  readonly config: ScangateConfig;
  /** No admin token was configured: `config.admin.token` is random; print it once. */
  readonly adminTokenGenerated: boolean;
  /** The config file as given, or `embedded`. */
  readonly source: string;
  /** The `SCANGATE_*` variables that were applied, sorted. */
  readonly envOverrides: readonly string[];
  /** Legal but risky settings (one sentence each) for the caller to log. */
  readonly warnings: readonly string[];
}

export const EMBEDDED_SOURCE = 'embedded';

/**
 * Reads, merges (defaults < file < environment), validates and resolves the configuration.
 * Throws a ConfigError that lists every problem at once.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const envFile = options.env[CONFIG_FILE_ENV];
  const file = options.file ?? (envFile === '' ? undefined : envFile);
  const source = file ?? EMBEDDED_SOURCE;

  const fromFile: FileResult = file === undefined ? { raw: {}, issues: [] } : readConfigFile(file);
  const raw = fromFile.raw;
  const fromEnv = applyEnvOverrides(raw, options.env);

  const { schema, problems } = validateSchema(raw);
  const bad = new Set(problems.map((p) => p.key));
  const ruleProblems = checkCrossKeyRules(schema, bad);
  for (const p of ruleProblems) bad.add(p.key);
  const fileProblems = readConfiguredFiles(schema, ScangateConfigSchema, bad);

  const issues: ConfigIssue[] = [
    ...fromFile.issues,
    ...fromEnv.issues,
    ...[...problems, ...ruleProblems, ...fileProblems].map((p) => withOrigin(p, fromEnv.applied)),
  ];
  if (issues.length > 0) throw new ConfigError(issues, source);

  const configuredToken = schema.admin.token;
  const adminTokenGenerated = configuredToken === undefined;
  const config = toScangateConfig(schema, {
    embedded: file === undefined,
    adminToken: configuredToken ?? randomBytes(32).toString('base64url'),
  });
  const unusedAnalyzerSections = (['anchore', 'clair'] as const)
    .filter((name) => schema.analyzer[name] !== undefined && schema.analyzer.type !== name)
    .map((name) => `analyzer.${name}`);
  return {
    config,
    adminTokenGenerated,
    source,
    envOverrides: [...fromEnv.applied.values()].map((o) => o.env).sort(),
    warnings: configWarnings({ config, adminTokenGenerated, unusedAnalyzerSections }),
  };
}

/** Adds `(got "abc" from SCANGATE_CACHE_ALLOWTTL)`: the value (unless secret) and the variable that set it. */
function withOrigin(problem: KeyProblem, applied: ReadonlyMap<string, EnvOverride>): ConfigIssue {
  const origin = originOf(problem.key, applied);
  let shown: unknown;
  if (!problem.secret && problem.hasValue) shown = origin?.key === problem.key ? origin.override.value : problem.value;
  const got = shown === undefined ? undefined : `got ${show(shown)}`;
  const from = origin ? `from ${origin.override.env}` : undefined;
  const detail = [got, from].filter((part) => part !== undefined).join(' ');
  return { key: problem.key, message: detail === '' ? problem.message : `${problem.message} (${detail})` };
}

function originOf(
  key: string,
  applied: ReadonlyMap<string, EnvOverride>,
): { readonly key: string; readonly override: EnvOverride } | undefined {
  // `admission.namespaces[0].mode` → `admission.namespaces[0]` → `admission.namespaces` → `admission`
  for (let k = key; k !== '';) {
    const override = applied.get(k);
    if (override) return { key: k, override };
    const cut = Math.max(k.lastIndexOf('.'), k.endsWith(']') ? k.lastIndexOf('[') : -1);
    k = cut > 0 ? k.slice(0, cut) : '';
  }
  return undefined;
}

function show(value: unknown): string {
  let text = JSON.stringify(value) ?? String(value);
  text = text.replace(/\/\/[^/@\s"]*@/g, '//***@');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
