import type { ExtractionResult, GroupVersionKind, ImageLocation, ImageReviewSpec } from './kube.types';
import { isJsonObject, jsonTypeOf, ownField, type JsonObject } from './json-value';
import { childPath, collectPodSpecImages, ImageCollector } from './pod-spec-paths';
import { podSpecLocationFor } from './workload-kinds';

const UNSUPPORTED: ExtractionResult = Object.freeze({ images: [], problems: [], supportedKind: false });

/**
 * Every image in an admitted object, with its JSON path, for `kind` as sent in `request.kind`
 * (the object's own `apiVersion`/`kind` are never consulted).
 *
 * Malformed input never throws: each wrong type or missing required field becomes a problem
 * naming its path. A missing optional list (`initContainers`, `volumes`, ...) is not a problem.
 */
export function extractImages(kind: GroupVersionKind, object: unknown, subResource?: string): ExtractionResult {
  const where = podSpecLocationFor(kind, subResource);
  if (where === undefined) return UNSUPPORTED;
  const out = new ImageCollector();
  if (!isJsonObject(object)) {
    out.problem('', `the admitted ${kind.kind} must be an object, got ${jsonTypeOf(object)}`);
    return { images: out.images, problems: out.problems, supportedKind: true };
  }
  let node: JsonObject = object;
  let path = '';
  for (const field of where.podSpecPath) {
    path = childPath(path, field);
    const next = ownField(node, field);
    if (!isJsonObject(next)) {
      out.problem(
        path,
        next === undefined || next === null
          ? `Required value: a ${kind.kind} carries its pod spec under ${where.podSpecPath.join('.')}`
          : `must be an object, got ${jsonTypeOf(next)}`,
      );
      return { images: out.images, problems: out.problems, supportedKind: true };
    }
    node = next;
  }
  collectPodSpecImages(node, path, where.scope, where.isPod, out);
  return { images: out.images, problems: out.problems, supportedKind: true };
}

/** The images of a decoded ImageReview, at `spec.containers[i].image`. */
export function extractImagesFromImageReview(spec: ImageReviewSpec): ImageLocation[] {
  return spec.containers.map((container, i) => ({
    image: container.image,
    path: `spec.containers[${i}].image`,
    location: 'container',
    name: '',
  }));
}

/**
 * For the UPDATE "only changed images" mode: the locations in `current` whose image string does
 * not occur anywhere in `previous` (the old object's images). An image merely moved between
 * containers was admitted before and is not returned. Exact string comparison: `nginx` and
 * `docker.io/library/nginx:latest` count as different, which errs towards checking.
 */
export function changedImages(current: readonly ImageLocation[], previous: readonly ImageLocation[]): ImageLocation[] {
  const before = new Set<string>();
  for (const location of previous) before.add(location.image);
  return current.filter((location) => !before.has(location.image));
}
