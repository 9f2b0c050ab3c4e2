import type { FlushEvent, SubjectOutcome, VerdictFilter } from './verdict.types';

/** What travels on a store's channel (one per prefix): an analysis outcome or a flush. */
export type StoreEvent =
  | { readonly type: 'outcome'; readonly subject: string; readonly outcome: SubjectOutcome }
  | { readonly type: 'flush'; readonly event: FlushEvent };

export function encodeEvent(event: StoreEvent): string {
  return JSON.stringify(event);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): value is string {
  return typeof value === 'string';
}

function toOutcome(value: unknown): SubjectOutcome | undefined {
  if (!isObject(value)) return undefined;
  if (value['kind'] === 'verdict' && str(value['digest'])) return { kind: 'verdict', digest: value['digest'] };
  if (value['kind'] === 'failed' && str(value['reason'])) return { kind: 'failed', reason: value['reason'] };
  return undefined;
}

function toFilter(value: unknown): VerdictFilter | undefined {
  if (!isObject(value)) return undefined;
  const { kind, repository, tag, digest } = value;
  if (kind === 'all') return { kind };
  if (kind === 'repository' && str(repository)) return { kind, repository };
  if (kind === 'tag' && str(repository) && str(tag)) return { kind, repository, tag };
  if (kind === 'digest' && str(digest)) return { kind, digest };
  return undefined;
}

/** Undefined for anything that is not an event of this version (ignored, never thrown). */
export function decodeEvent(message: string): StoreEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (value['type'] === 'outcome' && str(value['subject'])) {
    const outcome = toOutcome(value['outcome']);
    return outcome && { type: 'outcome', subject: value['subject'], outcome };
  }
  if (value['type'] === 'flush' && isObject(value['event'])) {
    const filter = toFilter(value['event']['filter']);
    const digest = value['event']['digest'];
    if (!filter) return undefined;
    return { type: 'flush', event: str(digest) ? { filter, digest } : { filter } };
  }
  return undefined;
}
