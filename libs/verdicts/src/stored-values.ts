import type { MemoValue } from './verdict-filter';
import type { Verdict } from './verdict.types';

// Values as the stores keep them (JSON in Redis). Anything that does not parse back into the
// expected shape is treated as absent, never trusted.

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((entry) => typeof entry === 'string');

export function encodeVerdict(verdict: Verdict): string {
  return JSON.stringify(verdict);
}

export function decodeVerdict(text: string | null | undefined): Verdict | undefined {
  if (text == null) return undefined;
  const v = parse(text);
  if (!isObject(v)) return undefined;
  const { digest, analyzer, fingerprint, allowed, reason, repositories, platformDigests, analyzedAt, expiresAt } = v;
  if (
    typeof digest !== 'string' ||
    typeof analyzer !== 'string' ||
    typeof fingerprint !== 'string' ||
    typeof allowed !== 'boolean' ||
    (reason !== undefined && typeof reason !== 'string') ||
    !isStringArray(repositories) ||
    (platformDigests !== undefined && !isStringArray(platformDigests)) ||
    typeof analyzedAt !== 'number' ||
    typeof expiresAt !== 'number'
  ) {
    return undefined;
  }
  return {
    digest,
    analyzer,
    fingerprint,
    allowed,
    ...(reason !== undefined ? { reason } : {}),
    repositories,
    ...(platformDigests !== undefined ? { platformDigests } : {}),
    analyzedAt,
    expiresAt,
  };
}

export function encodeMemo(memo: MemoValue): string {
  return JSON.stringify({ reference: memo.reference, digest: memo.digest });
}

export function decodeMemo(text: string | null | undefined): MemoValue | undefined {
  if (text == null) return undefined;
  const v = parse(text);
  if (!isObject(v) || typeof v['reference'] !== 'string' || typeof v['digest'] !== 'string') return undefined;
  return { reference: v['reference'], digest: v['digest'] };
}

/** A frozen copy, so that a caller's later change to its object cannot reach the store. */
export function storedVerdict(verdict: Omit<Verdict, 'expiresAt'>, expiresAt: number): Verdict {
  return Object.freeze({
    digest: verdict.digest,
    analyzer: verdict.analyzer,
    fingerprint: verdict.fingerprint,
    allowed: verdict.allowed,
    ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
    repositories: Object.freeze([...verdict.repositories]),
    ...(verdict.platformDigests !== undefined ? { platformDigests: Object.freeze([...verdict.platformDigests]) } : {}),
    analyzedAt: verdict.analyzedAt,
    expiresAt,
  });
}
