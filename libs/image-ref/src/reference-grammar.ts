import { AT, COLON, SLASH } from './char-codes';
import { matchesDigestPattern } from './digest';
import { isDomainAndPort } from './domain';
import { isRemoteName } from './remote-name';
import { stepMeter } from './step-meter';
import { isTag } from './tag';

/** Where distribution/reference's anchored ReferenceRegexp puts its three captures. */
export interface ReferenceMatch {
  readonly ok: true;
  /** The name is s[0, nameEnd). */
  readonly nameEnd: number;
  /** Index just past the name's domain ('/' included), 0 when the name has no domain. */
  readonly pathStart: number;
  /** The tag is s[tagStart, tagEnd); tagStart is -1 when there is none. */
  readonly tagStart: number;
  readonly tagEnd: number;
  /** The digest is s[digestStart, s.length); -1 when there is none. */
  readonly digestStart: number;
}

/** The first part (in the order name, tag, digest) that does not match the grammar. */
export interface ReferenceMismatch {
  readonly ok: false;
  readonly part: 'name' | 'tag' | 'digest';
}

/**
 * The same verdict and captures as `^(namePat)(?::(tag))?(?:@(digestPat))?$` with RE2's
 * leftmost-first submatch semantics, found by hand in a bounded number of linear passes.
 *
 * The grammar leaves no choice about where the parts meet: neither name nor tag may contain '@',
 * so the first '@' starts the digest; the tag contains no '/' and the path no ':', so the tag is
 * whatever follows the first ':' after the last '/'. Inside the name the optional domain is
 * greedy: the first component is the domain whenever it is a valid host[:port] and the rest a
 * valid path, and otherwise the whole name must be a path (`a_b.c/x` parses with no domain).
 */
export function matchReference(s: string): ReferenceMatch | ReferenceMismatch {
  const end = s.length;
  let at = -1;
  let lastSlash = -1;
  for (let i = 0; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (c === AT) {
      at = i;
      break;
    }
    if (c === SLASH) lastSlash = i;
  }
  const beforeDigest = at < 0 ? end : at;
  let colon = -1;
  for (let i = lastSlash + 1; i < beforeDigest; i++) {
    stepMeter.steps++;
    if (s.charCodeAt(i) === COLON) {
      colon = i;
      break;
    }
  }
  const nameEnd = colon < 0 ? beforeDigest : colon;

  const pathStart = matchName(s, 0, nameEnd);
  if (pathStart < 0) return { ok: false, part: 'name' };
  if (colon >= 0 && !isTag(s, colon + 1, beforeDigest)) return { ok: false, part: 'tag' };
  if (at >= 0 && !matchesDigestPattern(s, at + 1, end)) return { ok: false, part: 'digest' };
  return {
    ok: true,
    nameEnd,
    pathStart,
    tagStart: colon < 0 ? -1 : colon + 1,
    tagEnd: beforeDigest,
    digestStart: at < 0 ? -1 : at + 1,
  };
}

/**
 * distribution/reference's anchoredNameRegexp `^(?:(domainAndPort)/)?(remoteName)$` on
 * s[start, end): the index where the path starts (start when there is no domain), or -1.
 */
export function matchName(s: string, start: number, end: number): number {
  let firstSlash = -1;
  for (let i = start; i < end; i++) {
    stepMeter.steps++;
    if (s.charCodeAt(i) === SLASH) {
      firstSlash = i;
      break;
    }
  }
  if (firstSlash >= 0 && isDomainAndPort(s, start, firstSlash) && isRemoteName(s, firstSlash + 1, end)) {
    return firstSlash + 1;
  }
  return isRemoteName(s, start, end) ? start : -1;
}
