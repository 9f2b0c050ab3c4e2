import { CLOSE_BRACKET, COLON, DASH, DOT, OPEN_BRACKET, isAlnum, isDigit, isHexDigit } from './char-codes';
import { stepMeter } from './step-meter';

/**
 * distribution/reference `domainAndPort`, anchored to s[start, end):
 *
 *   host [':' [0-9]+]
 *   host             := domain-name | '[' [a-fA-F0-9:]+ ']'
 *   domain-name      := domain-component ('.' domain-component)*
 *   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *
 * Uppercase is allowed here (only the path must be lowercase). IPv6 is checked only for its
 * alphabet, as Go does: `[::::]` and `[fffff]` pass.
 */
export function isDomainAndPort(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  const hostEnd = s.charCodeAt(start) === OPEN_BRACKET ? ipv6HostEnd(s, start, end) : domainNameEnd(s, start, end);
  if (hostEnd < 0) return false;
  if (hostEnd === end) return true;
  if (s.charCodeAt(hostEnd) !== COLON || hostEnd + 1 === end) return false;
  for (let i = hostEnd + 1; i < end; i++) {
    stepMeter.steps++;
    if (!isDigit(s.charCodeAt(i))) return false;
  }
  return true;
}

/** Index just past a `[…]` IPv6 host starting at `start`, or -1. */
function ipv6HostEnd(s: string, start: number, end: number): number {
  let i = start + 1;
  while (i < end) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (!isHexDigit(c) && c !== COLON) break;
    i++;
  }
  if (i === start + 1 || i === end || s.charCodeAt(i) !== CLOSE_BRACKET) return -1;
  return i + 1;
}

/** Index where a domain name starting at `start` ends (end of input or a ':'), or -1. */
function domainNameEnd(s: string, start: number, end: number): number {
  let componentEmpty = true;
  let lastWasDash = false;
  let i = start;
  for (; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (isAlnum(c)) {
      componentEmpty = false;
      lastWasDash = false;
    } else if (c === DASH) {
      if (componentEmpty) return -1;
      lastWasDash = true;
    } else if (c === DOT) {
      if (componentEmpty || lastWasDash) return -1;
      componentEmpty = true;
    } else if (c === COLON) {
      break;
    } else {
      return -1;
    }
  }
  return componentEmpty || lastWasDash ? -1 : i;
}
