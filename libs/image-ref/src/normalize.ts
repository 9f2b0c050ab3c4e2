import { COLON, DOT, SLASH, isLowerHexDigit } from './char-codes';
import { goToLowerChanges } from './go-lowercase';
import { stepMeter } from './step-meter';

// Docker Hub normalisation, as distribution/reference's normalize.go does it.

/** reference's defaultDomain. (The API host is registry-1.docker.io; see CONTRACTS.md §3.6.) */
export const DOCKER_HUB_DOMAIN = 'docker.io';
/** reference's legacyDefaultDomain, rewritten to docker.io. */
export const LEGACY_DOCKER_HUB_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const LOCALHOST = 'localhost';

/** anchoredIdentifierRegexp `^[a-f0-9]{64}$`: an image id, which Go refuses as a name. */
export function isHexIdentifier(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    stepMeter.steps++;
    if (!isLowerHexDigit(s.charCodeAt(i))) return false;
  }
  return true;
}

export interface DockerDomainSplit {
  readonly domain: string;
  /** Everything after the domain: the path, with `library/` added on Docker Hub, then tag/digest. */
  readonly remainder: string;
}

/**
 * splitDockerDomain: the first component is a domain when it is `localhost`, contains '.' or ':',
 * or is not all lowercase; otherwise the domain is docker.io. Single-component Docker Hub names
 * get `library/`. A name with no '/' at all is always on Docker Hub — even `localhost:5000`,
 * which becomes docker.io/library/localhost with tag 5000 (Go's own FIXME).
 */
export function splitDockerDomain(name: string): DockerDomainSplit {
  const slash = indexOfSlash(name);
  if (slash < 0) {
    stepMeter.steps += name.length;
    return { domain: DOCKER_HUB_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  }
  let domain: string;
  let remainder: string;
  const maybeDomain = name.slice(0, slash);
  stepMeter.steps += name.length;
  if (maybeDomain === LOCALHOST) {
    domain = maybeDomain;
    remainder = name.slice(slash + 1);
  } else if (maybeDomain === LEGACY_DOCKER_HUB_DOMAIN) {
    domain = DOCKER_HUB_DOMAIN;
    remainder = name.slice(slash + 1);
  } else if (containsDotOrColon(name, slash) || goToLowerChanges(name, 0, slash)) {
    domain = maybeDomain;
    remainder = name.slice(slash + 1);
  } else {
    domain = DOCKER_HUB_DOMAIN;
    remainder = name;
  }
  if (domain === DOCKER_HUB_DOMAIN && indexOfSlash(remainder) < 0) {
    stepMeter.steps += remainder.length;
    remainder = OFFICIAL_REPO_PREFIX + remainder;
  }
  return { domain, remainder };
}

/**
 * familiarizeName: on docker.io, drop the domain, and drop `library/` when nothing nested follows
 * it. Returns the familiar name (without tag or digest).
 */
export function familiarName(domain: string, path: string, name: string): string {
  if (domain !== DOCKER_HUB_DOMAIN) return name;
  if (path.startsWith(OFFICIAL_REPO_PREFIX) && indexOfSlash(path, OFFICIAL_REPO_PREFIX.length) < 0) {
    return path.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return path;
}

function indexOfSlash(s: string, from = 0): number {
  for (let i = from; i < s.length; i++) {
    stepMeter.steps++;
    if (s.charCodeAt(i) === SLASH) return i;
  }
  return -1;
}

function containsDotOrColon(s: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (c === DOT || c === COLON) return true;
  }
  return false;
}
