import {
  IMAGE_REVIEW_API_VERSION,
  ReviewDecodeError,
  type EncodedImageReview,
  type ImageReviewSpec,
  type ImageReviewStatus,
} from './kube.types';
import { echo, isJsonObject, jsonTypeOf, ownField, sortedStringMap } from './json-value';

/**
 * Validates an `imagepolicy.k8s.io/v1alpha1` ImageReview sent by the ImagePolicyWebhook
 * admission plugin and returns its spec. `spec.containers`, `spec.annotations` and
 * `spec.namespace` are `omitempty` in Go, so each may be absent (→ `[]`, `{}`, `''`).
 * An empty `image` string passes here: it is a malformed reference, denied by policy, not a
 * malformed review. `metadata`, `status` and unknown fields are ignored.
 */
export function decodeImageReview(body: unknown): ImageReviewSpec {
  if (!isJsonObject(body)) {
    throw new ReviewDecodeError(`the body must be a JSON object, got ${jsonTypeOf(body)}`, '');
  }
  const apiVersion = ownField(body, 'apiVersion');
  if (apiVersion !== IMAGE_REVIEW_API_VERSION) {
    throw new ReviewDecodeError(
      `apiVersion ${echo(apiVersion)} is not supported; expected "${IMAGE_REVIEW_API_VERSION}"`,
      'apiVersion',
    );
  }
  const kind = ownField(body, 'kind');
  if (kind !== 'ImageReview') {
    throw new ReviewDecodeError(`kind ${echo(kind)} is not supported; expected "ImageReview"`, 'kind');
  }
  const spec = ownField(body, 'spec');
  if (!isJsonObject(spec)) {
    throw new ReviewDecodeError(
      spec === undefined ? 'spec is required' : `spec must be an object, got ${jsonTypeOf(spec)}`,
      'spec',
    );
  }

  const containers: { image: string }[] = [];
  const list = ownField(spec, 'containers');
  if (list !== undefined) {
    if (!Array.isArray(list)) {
      throw new ReviewDecodeError(`spec.containers must be a list, got ${jsonTypeOf(list)}`, 'spec.containers');
    }
    for (let i = 0; i < list.length; i++) {
      const path = `spec.containers[${i}]`;
      const container: unknown = list[i];
      if (!isJsonObject(container)) {
        throw new ReviewDecodeError(`${path} must be an object, got ${jsonTypeOf(container)}`, path);
      }
      const image = ownField(container, 'image');
      if (typeof image !== 'string') {
        throw new ReviewDecodeError(
          image === undefined
            ? `${path}.image is required`
            : `${path}.image must be a string, got ${jsonTypeOf(image)}`,
          `${path}.image`,
        );
      }
      containers.push({ image });
    }
  }

  const annotations: [string, string][] = [];
  const map = ownField(spec, 'annotations');
  if (map !== undefined) {
    if (!isJsonObject(map)) {
      throw new ReviewDecodeError(`spec.annotations must be an object, got ${jsonTypeOf(map)}`, 'spec.annotations');
    }
    for (const key of Object.keys(map)) {
      const value = ownField(map, key);
      if (typeof value !== 'string') {
        throw new ReviewDecodeError(
          `spec.annotations[${echo(key)}] must be a string, got ${jsonTypeOf(value)}`,
          'spec.annotations',
        );
      }
      annotations.push([key, value]);
    }
  }

  const namespace = ownField(spec, 'namespace');
  if (namespace !== undefined && typeof namespace !== 'string') {
    throw new ReviewDecodeError(`spec.namespace must be a string, got ${jsonTypeOf(namespace)}`, 'spec.namespace');
  }

  return { containers, annotations: Object.fromEntries(annotations), namespace: namespace ?? '' };
}

/**
 * The ImageReview answer: `{apiVersion, kind, status: {allowed, reason?, auditAnnotations?}}`.
 * `reason` and `auditAnnotations` are left out when empty; annotation keys are sorted.
 */
export function encodeImageReview(status: ImageReviewStatus): EncodedImageReview {
  const encoded: { allowed: boolean; reason?: string; auditAnnotations?: Record<string, string> } = {
    allowed: status.allowed,
  };
  if (status.reason !== undefined && status.reason !== '') encoded.reason = status.reason;
  const annotations = sortedStringMap(status.auditAnnotations);
  if (annotations !== undefined) encoded.auditAnnotations = annotations;
  return { apiVersion: IMAGE_REVIEW_API_VERSION, kind: 'ImageReview', status: encoded };
}
