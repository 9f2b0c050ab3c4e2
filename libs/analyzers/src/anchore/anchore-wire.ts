import { ScannerError } from '../resilience/scanner-errors';

/** Engine v1 (`/v1`, camelCase) or Enterprise v2 (`/v2`, snake_case). */
export type AnchoreApiVersion = 'v1' | 'v2';

/**
 * `analysis_status` as the engine's state machine uses it. The swagger enums omit
 * `analysis_queued`, but records carry it (CONTRACTS.md §1.1); other values are kept as strings
 * so that a newer server's state reads as "still working" rather than as a broken answer.
 */
export type AnalysisStatus = 'not_analyzed' | 'analysis_queued' | 'analyzing' | 'analyzed' | 'analysis_failed';

/** One Anchore image record, the fields scangate reads, in one spelling for both APIs. */
export interface AnchoreImageRecord {
  /** The manifest Anchore analysed: a platform manifest when it was given a manifest list. */
  readonly imageDigest: string;
  /** The manifest list it came from (or the manifest itself); absent on some records. */
  readonly parentDigest?: string;
  readonly analysisStatus: AnalysisStatus | (string & {});
  readonly fullTags: readonly string[];
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** Anchore answered 2xx with a body that is not what its API returns: retrying cannot help. */
export function unexpectedBody(what: string, detail: string): ScannerError {
  return new ScannerError(`Anchore ${what}: unexpected response body (${detail})`, false);
}

/**
 * The records of a lookup or add: v1 answers an array (`AnchoreImageList`), v2 one object from
 * add and get-by-digest and `{items: [...]}` from the list (CONTRACTS.md §1.2).
 */
export function parseImageRecords(body: unknown, version: AnchoreApiVersion, what: string): AnchoreImageRecord[] {
  let items: readonly unknown[];
  if (Array.isArray(body)) items = body;
  else if (isObject(body) && Array.isArray(body['items'])) items = body['items'];
  else if (isObject(body) && version === 'v2') items = [body];
  else throw unexpectedBody(what, `expected ${version === 'v1' ? 'an array' : 'an object'} of images`);
  return items.map((item) => parseImageRecord(item, version, what));
}

function parseImageRecord(item: unknown, version: AnchoreApiVersion, what: string): AnchoreImageRecord {
  if (!isObject(item)) throw unexpectedBody(what, 'an image record is not an object');
  const [digestKey, parentKey, fullTagKey] =
    version === 'v1' ? ['imageDigest', 'parentDigest', 'fulltag'] : ['image_digest', 'parent_digest', 'full_tag'];
  const imageDigest = stringField(item, digestKey);
  const analysisStatus = stringField(item, 'analysis_status');
  if (imageDigest === undefined || analysisStatus === undefined) {
    throw unexpectedBody(what, `an image record lacks ${digestKey} or analysis_status`);
  }
  const details = Array.isArray(item['image_detail']) ? item['image_detail'] : [];
  const fullTags = details.flatMap((detail) => {
    const tag = isObject(detail) ? stringField(detail, fullTagKey) : undefined;
    return tag === undefined ? [] : [tag];
  });
  const parentDigest = stringField(item, parentKey);
  return { imageDigest, analysisStatus, fullTags, ...(parentDigest ? { parentDigest } : {}) };
}

/** `message` of Anchore's error envelope, or connexion's problem `detail`; best effort. */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() === '' ? undefined : body.trim().slice(0, 300);
  if (!isObject(body)) return undefined;
  const message = stringField(body, 'message') ?? stringField(body, 'detail') ?? stringField(body, 'title');
  return message?.slice(0, 300);
}
