import { createHash } from 'node:crypto';
import type { VerdictKey } from './verdict.types';

/**
 * Key layout (README "Redis keys"). Every key starts with the hash-tagged prefix, so that in a
 * Redis Cluster all of them (and BullMQ's, which use the same prefix) live in one slot:
 *
 *   {scangate}:v:<analyzer>:<fingerprint>:<digest>   verdict (JSON), PX = expiresAt − now
 *   {scangate}:t:<reference>                         tag memo (JSON), PX = tagTTL
 *   {scangate}:t:#<sha256 of reference>              tag memo of a reference too long for a key
 *   {scangate}:e:<subjectKey>                        analysis failure (reason), PX = errorBackoffMs
 *   {scangate}:events                                pub/sub channel: outcomes and flushes
 *
 * Parts are percent-encoded outside a safe set, so no part contains `:` (except the digest's
 * own) or a glob character, and SCAN patterns built from them match exactly.
 */

/**
 * `scangate` → `{scangate}`. A prefix that already has a hash tag (`{…}` with something inside)
 * is used as given.
 */
export function hashTaggedPrefix(prefix: string): string {
  const open = prefix.indexOf('{');
  const close = open === -1 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix : `{${prefix}}`;
}

/** Longest encoded reference kept readable in a tag memo key; longer ones are hashed. */
export const MAX_READABLE_REFERENCE = 256;

const SAFE_PART = /[^A-Za-z0-9._-]/g;
const SAFE_DIGEST = /[^A-Za-z0-9._:=+-]/g;
const SAFE_REFERENCE = /[^A-Za-z0-9._/:@-]/g;

function percent(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

function encodePart(value: string): string {
  return value.replace(SAFE_PART, percent);
}

/** A digest keeps its `:` (`sha256:…`): it is the last part of a verdict key. */
function encodeDigest(digest: string): string {
  return digest.replace(SAFE_DIGEST, percent);
}

/** Escapes Redis glob characters (`*?[]\\`) of a literal part of a SCAN pattern. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}

export class VerdictKeys {
  readonly base: string;
  readonly channel: string;
  private readonly pattern: string;

  constructor(prefix: string) {
    this.base = `${hashTaggedPrefix(prefix)}:`;
    this.channel = `${this.base}events`;
    this.pattern = globLiteral(this.base);
  }

  verdict(key: VerdictKey): string {
    return `${this.base}v:${encodePart(key.analyzer)}:${encodePart(key.fingerprint)}:${encodeDigest(key.digest)}`;
  }

  /** Matches every verdict key. */
  get allVerdicts(): string {
    return `${this.pattern}v:*`;
  }

  /** Matches the verdict keys of one digest, whatever the analyzer and fingerprint. */
  verdictsOfDigest(digest: string): string {
    return `${this.pattern}v:*:*:${encodeDigest(digest)}`;
  }

  tag(reference: string): string {
    const encoded = reference.replace(SAFE_REFERENCE, percent);
    if (encoded.length <= MAX_READABLE_REFERENCE) return `${this.base}t:${encoded}`;
    return `${this.base}t:#${createHash('sha256').update(reference).digest('hex')}`;
  }

  /** Matches every tag memo key. */
  get allTags(): string {
    return `${this.pattern}t:*`;
  }

  failure(subjectKey: string): string {
    return `${this.base}e:${subjectKey}`;
  }
}
