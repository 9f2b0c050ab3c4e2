import type { ImageRef } from '@scangate/image-ref';
import { normalizeDomain } from './host-boundary';
import { PolicyCompileError } from './policy-compile.error';

/**
 * An `allowedImages` / `deniedImages` pattern: `name[:tag][@digest]` where `*` matches within one
 * path component and `**` across components. Names are normalised like references
 * (`nginx` → `docker.io/library/nginx`, `team/*` → `docker.io/team/*`), so a pattern and the
 * images it names are compared in one spelling. Without a tag or digest a pattern covers every
 * tag and digest of the repository.
 *
 * Patterns come from trusted config and compile to anchored regular expressions whose only
 * quantifiers are the pattern's own wildcards; inputs are capped references (≤ 4 KiB).
 */
export class ImagePattern {
  private constructor(
    readonly source: string,
    private readonly name: RegExp,
    private readonly tag: RegExp | undefined,
    private readonly digest: string | undefined,
  ) {}

  static compileAll(patterns: readonly string[], key: string): ImagePattern[] {
    const problems: string[] = [];
    const compiled = patterns.flatMap((pattern, index) => {
      try {
        return [ImagePattern.compile(pattern)];
      } catch (error) {
        problems.push(`${key}[${index}]: ${(error as Error).message} (got ${JSON.stringify(pattern)})`);
        return [];
      }
    });
    if (problems.length > 0) throw new PolicyCompileError(problems);
    return compiled;
  }

  static compile(pattern: string): ImagePattern {
    if (pattern.trim() === '' || /\s/.test(pattern)) throw new Error('must be a non-empty pattern without spaces');
    const at = pattern.indexOf('@');
    const digest = at === -1 ? undefined : pattern.slice(at + 1);
    const nameAndTag = at === -1 ? pattern : pattern.slice(0, at);
    if (digest !== undefined && !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/.test(digest)) {
      throw new Error('digest must be algorithm:hex, without wildcards');
    }
    const lastSlash = nameAndTag.lastIndexOf('/');
    const colon = nameAndTag.indexOf(':', lastSlash + 1);
    const name = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
    const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1);
    if (name === '') throw new Error('names a repository');
    if (tag === '') throw new Error('has an empty tag');
    return new ImagePattern(pattern, globToRegExp(normalizeName(name)), tag ? globToRegExp(tag) : undefined, digest);
  }

  matches(ref: ImageRef): boolean {
    const name = `${normalizeDomain(ref.domain)}/${ref.path}`;
    if (!this.name.test(name)) return false;
    if (this.digest !== undefined && ref.digest !== this.digest) return false;
    if (this.tag !== undefined) {
      // An untagged, undigested reference means `:latest`; a digest-only one has no tag to match.
      const tag = ref.tag ?? (ref.digest === undefined ? 'latest' : undefined);
      if (tag === undefined || !this.tag.test(tag)) return false;
    }
    return true;
  }
}

function normalizeName(name: string): string {
  const slash = name.indexOf('/');
  const first = slash === -1 ? name : name.slice(0, slash);
  const hasDomain = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return `${normalizeDomain(first)}${name.slice(slash)}`;
  return slash === -1 ? `docker.io/library/${name}` : `docker.io/${name}`;
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*') {
      const double = glob[i + 1] === '*';
      source += double ? '.*' : '[^/]*';
      if (double) i++;
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
