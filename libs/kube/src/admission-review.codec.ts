import {
  ReviewDecodeError,
  type AdmissionOperation,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewVersion,
  type DecodedAdmissionReview,
  type EncodedAdmissionResponse,
  type EncodedAdmissionReview,
  type GroupVersionKind,
  type GroupVersionResource,
  type UserInfo,
} from './kube.types';
import { echo, isJsonObject, jsonTypeOf, ownField, sortedStringMap, type JsonObject } from './json-value';

export const ADMISSION_REVIEW_VERSIONS: readonly AdmissionReviewVersion[] = [
  'admission.k8s.io/v1',
  'admission.k8s.io/v1beta1',
];

export const ADMISSION_OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** Kubernetes uids are UUIDs (36 characters); anything much longer is not from an API server. */
export const MAX_UID_LENGTH = 256;

/**
 * Validates an AdmissionReview request envelope (`admission.k8s.io/v1` or `v1beta1`, whose JSON
 * fields are identical) and returns the fields scangate reads. `object`/`oldObject` are passed
 * through raw (their content is the extractor's business); `response`, `options`,
 * `requestKind`, `requestResource` and unknown fields are ignored.
 *
 * Throws ReviewDecodeError naming the first bad field; the message echoes at most 64 characters
 * of any value it quotes.
 */
export function decodeAdmissionReview(body: unknown): DecodedAdmissionReview {
  if (!isJsonObject(body)) {
    throw new ReviewDecodeError(`the body must be a JSON object, got ${jsonTypeOf(body)}`, '');
  }
  const apiVersion = ownField(body, 'apiVersion');
  if (!isAdmissionReviewVersion(apiVersion)) {
    throw new ReviewDecodeError(
      `apiVersion ${echo(apiVersion)} is not supported; expected "admission.k8s.io/v1" or "admission.k8s.io/v1beta1"`,
      'apiVersion',
    );
  }
  const kind = ownField(body, 'kind');
  if (kind !== 'AdmissionReview') {
    throw new ReviewDecodeError(`kind ${echo(kind)} is not supported; expected "AdmissionReview"`, 'kind');
  }
  const request = ownField(body, 'request');
  if (!isJsonObject(request)) {
    throw new ReviewDecodeError(
      request === undefined ? 'request is missing' : `request must be an object, got ${jsonTypeOf(request)}`,
      'request',
    );
  }
  return { apiVersion, request: decodeRequest(request) };
}

export function isAdmissionReviewVersion(value: unknown): value is AdmissionReviewVersion {
  return value === 'admission.k8s.io/v1' || value === 'admission.k8s.io/v1beta1';
}

function decodeRequest(request: JsonObject): AdmissionRequest {
  const uid = ownField(request, 'uid');
  if (typeof uid !== 'string' || uid === '') {
    throw new ReviewDecodeError(
      uid === undefined || uid === ''
        ? 'request.uid is required'
        : `request.uid must be a string, got ${jsonTypeOf(uid)}`,
      'request.uid',
    );
  }
  if (uid.length > MAX_UID_LENGTH) {
    throw new ReviewDecodeError(`request.uid is longer than ${MAX_UID_LENGTH} characters`, 'request.uid');
  }
  const gvk = decodeGroupVersion(request, 'kind');
  const gvr = decodeGroupVersion(request, 'resource');
  const kind: GroupVersionKind = { group: gvk.group, version: gvk.version, kind: gvk.name };
  const resource: GroupVersionResource = { group: gvr.group, version: gvr.version, resource: gvr.name };
  const operation = ownField(request, 'operation');
  if (!isOperation(operation)) {
    throw new ReviewDecodeError(
      `request.operation ${echo(operation)} is not one of CREATE, UPDATE, DELETE, CONNECT`,
      'request.operation',
    );
  }
  const dryRun = ownField(request, 'dryRun');
  if (dryRun !== undefined && typeof dryRun !== 'boolean') {
    throw new ReviewDecodeError(`request.dryRun must be a boolean, got ${jsonTypeOf(dryRun)}`, 'request.dryRun');
  }
  const subResource = optionalString(request, 'subResource');
  const name = optionalString(request, 'name');
  const namespace = optionalString(request, 'namespace');
  const userInfo = decodeUserInfo(request);
  const object = optionalObject(request, 'object');
  if (object === undefined && (operation === 'CREATE' || operation === 'UPDATE')) {
    throw new ReviewDecodeError(`request.object is required for ${operation}`, 'request.object');
  }
  const oldObject = optionalObject(request, 'oldObject');

  // Build a fresh object with validated fields only; never spread the input.
  const decoded: {
    -readonly [K in keyof AdmissionRequest]: AdmissionRequest[K];
  } = { uid, kind, resource, operation, dryRun: dryRun === true };
  if (subResource !== undefined) decoded.subResource = subResource;
  if (name !== undefined) decoded.name = name;
  if (namespace !== undefined) decoded.namespace = namespace;
  if (userInfo !== undefined) decoded.userInfo = userInfo;
  if (object !== undefined) decoded.object = object;
  if (oldObject !== undefined) decoded.oldObject = oldObject;
  return decoded;
}

function isOperation(value: unknown): value is AdmissionOperation {
  return typeof value === 'string' && (ADMISSION_OPERATIONS as readonly string[]).includes(value);
}

/**
 * `request.kind` (`{group, version, kind}`) or `request.resource` (`{group, version, resource}`).
 * `group` may be absent or empty (the core group); version and the last member must be non-empty.
 */
function decodeGroupVersion(
  request: JsonObject,
  field: 'kind' | 'resource',
): { group: string; version: string; name: string } {
  const path = `request.${field}`;
  const value = ownField(request, field);
  if (!isJsonObject(value)) {
    throw new ReviewDecodeError(
      value === undefined ? `${path} is required` : `${path} must be an object, got ${jsonTypeOf(value)}`,
      path,
    );
  }
  const group = ownField(value, 'group');
  if (group !== undefined && typeof group !== 'string') {
    throw new ReviewDecodeError(`${path}.group must be a string, got ${jsonTypeOf(group)}`, `${path}.group`);
  }
  const version = requiredString(value, 'version', path);
  const name = requiredString(value, field, path);
  return { group: group ?? '', version, name };
}

function requiredString(obj: JsonObject, key: string, parentPath: string): string {
  const path = `${parentPath}.${key}`;
  const value = ownField(obj, key);
  if (typeof value !== 'string') {
    throw new ReviewDecodeError(
      value === undefined ? `${path} is required` : `${path} must be a string, got ${jsonTypeOf(value)}`,
      path,
    );
  }
  if (value === '') throw new ReviewDecodeError(`${path} must not be empty`, path);
  return value;
}

/** An optional string field; empty means absent (Go's `omitempty` cannot tell them apart). */
function optionalString(request: JsonObject, key: string): string | undefined {
  const value = ownField(request, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new ReviewDecodeError(`request.${key} must be a string, got ${jsonTypeOf(value)}`, `request.${key}`);
  }
  return value === '' ? undefined : value;
}

/** `object`/`oldObject`: a JSON object, or absent/null (the API server sends `null` for none). */
function optionalObject(request: JsonObject, key: string): JsonObject | undefined {
  const value = ownField(request, key);
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) {
    throw new ReviewDecodeError(`request.${key} must be an object, got ${jsonTypeOf(value)}`, `request.${key}`);
  }
  return value;
}

function decodeUserInfo(request: JsonObject): UserInfo | undefined {
  const value = ownField(request, 'userInfo');
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) {
    throw new ReviewDecodeError(`request.userInfo must be an object, got ${jsonTypeOf(value)}`, 'request.userInfo');
  }
  const userInfo: { username?: string; uid?: string; groups?: readonly string[] } = {};
  for (const key of ['username', 'uid'] as const) {
    const field = ownField(value, key);
    if (field === undefined) continue;
    if (typeof field !== 'string') {
      throw new ReviewDecodeError(
        `request.userInfo.${key} must be a string, got ${jsonTypeOf(field)}`,
        `request.userInfo.${key}`,
      );
    }
    userInfo[key] = field;
  }
  const groups = ownField(value, 'groups');
  if (groups !== undefined) {
    if (!Array.isArray(groups)) {
      throw new ReviewDecodeError(
        `request.userInfo.groups must be a list, got ${jsonTypeOf(groups)}`,
        'request.userInfo.groups',
      );
    }
    const copy: string[] = [];
    for (let i = 0; i < groups.length; i++) {
      const group: unknown = groups[i];
      if (typeof group !== 'string') {
        throw new ReviewDecodeError(
          `request.userInfo.groups[${i}] must be a string, got ${jsonTypeOf(group)}`,
          `request.userInfo.groups[${i}]`,
        );
      }
      copy.push(group);
    }
    userInfo.groups = copy;
  }
  return userInfo;
}

/**
 * The AdmissionReview answer, in the version that was received. Keys come in a fixed order;
 * absent or empty optional fields are left out; `status` is written only for a denial (the
 * API server reads it only then); a validating webhook never writes `patch`/`patchType`.
 * Audit annotation keys are sorted so equal decisions serialise identically.
 */
export function encodeAdmissionReview(
  apiVersion: AdmissionReviewVersion,
  response: AdmissionResponse,
): EncodedAdmissionReview {
  const encoded: {
    uid: string;
    allowed: boolean;
    status?: EncodedAdmissionResponse['status'];
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  } = { uid: response.uid, allowed: response.allowed };
  if (!response.allowed && response.status !== undefined) {
    const { code, reason, message } = response.status;
    const status: { code: number; reason?: string; message?: string } = { code };
    if (reason !== '') status.reason = reason;
    if (message !== '') status.message = message;
    encoded.status = status;
  }
  if (response.warnings !== undefined && response.warnings.length > 0) {
    encoded.warnings = [...response.warnings];
  }
  const annotations = sortedStringMap(response.auditAnnotations);
  if (annotations !== undefined) encoded.auditAnnotations = annotations;
  return { apiVersion, kind: 'AdmissionReview', response: encoded };
}
