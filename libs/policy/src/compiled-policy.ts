import type { PolicyConfig } from '@scangate/config';
import { ImagePattern } from './image-pattern';
import { PolicyCompileError } from './policy-compile.error';
import { RegistryAllowlist } from './registry-allowlist';

/** The local rules of PRODUCT.md §3.5, compiled once at boot (or per namespace override). */
export interface CompiledPolicy {
  readonly allowedRegistries: RegistryAllowlist;
  readonly allowedImages: readonly ImagePattern[];
  readonly deniedImages: readonly ImagePattern[];
  readonly denyLatest: boolean;
  readonly requireDigest: boolean;
}

/** Compiles every list, reporting all bad entries at once under their config keys. */
export function compilePolicy(policy: PolicyConfig, key = 'policy'): CompiledPolicy {
  const problems: string[] = [];
  const collect = <T>(build: () => T, fallback: T): T => {
    try {
      return build();
    } catch (error) {
      if (!(error instanceof PolicyCompileError)) throw error;
      problems.push(...error.problems);
      return fallback;
    }
  };
  const compiled: CompiledPolicy = {
    allowedRegistries: collect(
      () => RegistryAllowlist.compile(policy.allowedRegistries, `${key}.allowedRegistries`),
      RegistryAllowlist.compile([], key),
    ),
    allowedImages: collect(() => ImagePattern.compileAll(policy.allowedImages, `${key}.allowedImages`), []),
    deniedImages: collect(() => ImagePattern.compileAll(policy.deniedImages, `${key}.deniedImages`), []),
    denyLatest: policy.tags.denyLatest,
    requireDigest: policy.tags.requireDigest,
  };
  if (problems.length > 0) throw new PolicyCompileError(problems);
  return compiled;
}

/** A namespace override's partial policy on top of the global one (lists replace, not merge). */
export function mergePolicy(base: PolicyConfig, override: Partial<PolicyConfig> | undefined): PolicyConfig {
  if (!override) return base;
  return {
    allowedRegistries: override.allowedRegistries ?? base.allowedRegistries,
    allowedImages: override.allowedImages ?? base.allowedImages,
    deniedImages: override.deniedImages ?? base.deniedImages,
    tags: { ...base.tags, ...override.tags },
  };
}
