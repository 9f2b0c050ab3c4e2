/** Namespace name matching: exact, or with `*` wildcards (`team-*`). Linear, no regular expression. */
export function nameMatches(name: string, pattern: string): boolean {
  // Classic two-pointer wildcard match with a single backtrack point: O(n·m) worst case on
  // config-sized patterns and DNS-label-sized names (≤ 63), with no exponential blow-up.
  let n = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] === name[n] && pattern[p] !== '*') {
      n++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
