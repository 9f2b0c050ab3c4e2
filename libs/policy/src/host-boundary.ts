/**
 * Registry and repository matching on component boundaries. A bare string prefix is never
 * enough: `registry.example.com` must not match `registry.example.com.evil.io`, and
 * `docker.io/mycompany` must not match `docker.io/mycompanyevil`.
 */

/** Hostnames are case-insensitive; `index.docker.io` is Docker Hub's legacy name for `docker.io`. */
export function normalizeDomain(domain: string): string {
  const lower = domain.toLowerCase();
  return lower === 'index.docker.io' ? 'docker.io' : lower;
}

/** True when `path` is `prefix` or lies under it (`prefix/…`). */
export function isPathWithin(path: string, prefix: string): boolean {
  return path === prefix || (path.length > prefix.length && path.startsWith(prefix) && path[prefix.length] === '/');
}

/**
 * `*.example.com` matches any host strictly below example.com (`a.example.com`, `a.b.example.com`),
 * never `example.com` itself nor `evilexample.com`. Ports must match exactly.
 */
export function domainMatches(domain: string, pattern: string): boolean {
  if (!pattern.startsWith('*.')) return domain === pattern;
  const suffix = pattern.slice(1); // ".example.com[:port]"
  const [patternHost, patternPort] = splitPort(suffix);
  const [host, port] = splitPort(domain);
  return port === patternPort && host.length > patternHost.length && host.endsWith(patternHost);
}

function splitPort(domain: string): [string, string | undefined] {
  // Bracketed IPv6 (`[::1]:5000`): the port follows the closing bracket.
  const close = domain.lastIndexOf(']');
  const colon = domain.lastIndexOf(':');
  if (colon > close) return [domain.slice(0, colon), domain.slice(colon + 1)];
  return [domain, undefined];
}
