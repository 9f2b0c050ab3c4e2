import type { ImageRef } from '@scangate/image-ref';
import { domainMatches, isPathWithin, normalizeDomain } from './host-boundary';
import { PolicyCompileError } from './policy-compile.error';

/** One `policy.allowedRegistries` entry: a host[:port] (or `*.domain`), optionally a repository prefix. */
interface RegistryEntry {
  readonly domain: string;
  readonly pathPrefix?: string;
}

export class RegistryAllowlist {
  private constructor(private readonly entries: readonly RegistryEntry[]) {}

  static compile(entries: readonly string[], key: string): RegistryAllowlist {
    const problems: string[] = [];
    const compiled = entries.flatMap((entry, index) => {
      const parsed = parseEntry(entry);
      if (typeof parsed === 'string') {
        problems.push(`${key}[${index}]: ${parsed} (got ${JSON.stringify(entry)})`);
        return [];
      }
      return [parsed];
    });
    if (problems.length > 0) throw new PolicyCompileError(problems);
    return new RegistryAllowlist(compiled);
  }

  /** An empty list allows any registry. */
  get isOpen(): boolean {
    return this.entries.length === 0;
  }

  allows(ref: ImageRef): boolean {
    if (this.isOpen) return true;
    const domain = normalizeDomain(ref.domain);
    return this.entries.some(
      (entry) =>
        domainMatches(domain, entry.domain) &&
        (entry.pathPrefix === undefined || isPathWithin(ref.path, entry.pathPrefix)),
    );
  }

  describe(): string {
    return this.entries.map((e) => (e.pathPrefix ? `${e.domain}/${e.pathPrefix}` : e.domain)).join(', ');
  }
}

function parseEntry(entry: string): RegistryEntry | string {
  const trimmed = entry.trim();
  if (trimmed === '' || trimmed !== entry) return 'must be a non-empty host[:port][/repository] without spaces';
  if (/[\s@]/.test(trimmed) || trimmed.includes('://'))
    return 'must be host[:port][/repository], not a URL or reference';
  const slash = firstSlashAfterHost(trimmed);
  const domain = normalizeDomain(slash === -1 ? trimmed : trimmed.slice(0, slash));
  const rest = slash === -1 ? '' : trimmed.slice(slash + 1).replace(/\/+$/, '');
  if (domain === '' || domain === '*.' || (domain.includes('*') && !/^\*\.[^*]+$/.test(domain))) {
    return 'wildcards are only allowed as a leading "*." label';
  }
  if (rest.includes('*')) return 'repository prefixes take no wildcards (use policy.allowedImages patterns)';
  if (rest !== '' && rest !== rest.toLowerCase()) return 'repository paths are lowercase';
  return rest === '' ? { domain } : { domain, pathPrefix: rest };
}

function firstSlashAfterHost(entry: string): number {
  const close = entry.startsWith('[') ? entry.indexOf(']') : -1;
  return entry.indexOf('/', close + 1);
}
