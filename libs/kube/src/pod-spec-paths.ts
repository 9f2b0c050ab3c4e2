import type { ImageLocation, ImageLocationKind, ObjectProblem } from './kube.types';
import { isJsonObject, jsonTypeOf, ownField, type JsonObject } from './json-value';
import type { PodSpecScope } from './workload-kinds';

/** The pod spec lists that hold container images, in the order they are reported. */
export const CONTAINER_LISTS: readonly { readonly field: string; readonly location: ImageLocationKind }[] = [
  { field: 'containers', location: 'container' },
  { field: 'initContainers', location: 'initContainer' },
  { field: 'ephemeralContainers', location: 'ephemeralContainer' },
];

/** Joins a JSON path the way the API server prints field paths (`spec.template.spec`). */
export function childPath(parent: string, field: string): string {
  return parent === '' ? field : `${parent}.${field}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** Collects images and problems; one instance per extraction. */
export class ImageCollector {
  readonly images: ImageLocation[] = [];
  readonly problems: ObjectProblem[] = [];

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }
}

/**
 * Reads the images of one pod spec object found at `specPath` (`''` when the pod spec is the
 * object itself, as for the legacy `EphemeralContainers` kind).
 *
 * Loops only: the depth is fixed by the Kubernetes schema, never by the input, and the work is
 * linear in the number of list elements.
 */
export function collectPodSpecImages(
  spec: JsonObject,
  specPath: string,
  scope: PodSpecScope,
  isPod: boolean,
  out: ImageCollector,
): void {
  for (const list of CONTAINER_LISTS) {
    if (scope === 'ephemeralOnly' && list.location !== 'ephemeralContainer') continue;
    // `containers` is required by the API server (at least one container), except when only the
    // ephemeral containers of an existing Pod are being changed.
    const required = list.field === 'containers';
    collectContainers(spec, specPath, list.field, list.location, required, out);
  }
  if (scope === 'all') collectImageVolumes(spec, specPath, isPod, out);
}

/**
 * Reads an optional (or required) list field. `null` is treated as absent, as Go's decoder
 * treats it for a slice. Returns the array, or undefined after recording a problem if needed.
 */
function readList(
  parent: JsonObject,
  parentPath: string,
  field: string,
  required: boolean,
  out: ImageCollector,
): readonly unknown[] | undefined {
  const path = childPath(parentPath, field);
  const value = ownField(parent, field);
  if (value === undefined || value === null) {
    if (required) out.problem(path, 'Required value: a pod spec must list its containers');
    return undefined;
  }
  if (!Array.isArray(value)) {
    out.problem(path, `must be a list, got ${jsonTypeOf(value)}`);
    return undefined;
  }
  return value;
}

function collectContainers(
  spec: JsonObject,
  specPath: string,
  field: string,
  location: ImageLocationKind,
  required: boolean,
  out: ImageCollector,
): void {
  const list = readList(spec, specPath, field, required, out);
  if (list === undefined) return;
  const listPath = childPath(specPath, field);
  for (let i = 0; i < list.length; i++) {
    const elementPath = indexPath(listPath, i);
    const container: unknown = list[i];
    if (!isJsonObject(container)) {
      out.problem(elementPath, `must be an object, got ${jsonTypeOf(container)}`);
      continue;
    }
    const imagePath = `${elementPath}.image`;
    const image = ownField(container, 'image');
    if (image === undefined || image === null || image === '') {
      // The API server rejects a container without an image, so seeing one means the object
      // did not come the usual way: fail closed.
      out.problem(imagePath, 'Required value: every container must name an image');
      continue;
    }
    if (typeof image !== 'string') {
      out.problem(imagePath, `must be a string, got ${jsonTypeOf(image)}`);
      continue;
    }
    out.images.push({ image, path: imagePath, location, name: nameOf(container) });
  }
}

/** `volumes[].image.reference` (image volumes, Kubernetes 1.31+). */
function collectImageVolumes(spec: JsonObject, specPath: string, isPod: boolean, out: ImageCollector): void {
  const volumes = readList(spec, specPath, 'volumes', false, out);
  if (volumes === undefined) return;
  const listPath = childPath(specPath, 'volumes');
  for (let i = 0; i < volumes.length; i++) {
    const elementPath = indexPath(listPath, i);
    const volume: unknown = volumes[i];
    if (!isJsonObject(volume)) {
      out.problem(elementPath, `must be an object, got ${jsonTypeOf(volume)}`);
      continue;
    }
    const source = ownField(volume, 'image');
    if (source === undefined || source === null) continue; // not an image volume
    const sourcePath = `${elementPath}.image`;
    if (!isJsonObject(source)) {
      out.problem(sourcePath, `must be an object, got ${jsonTypeOf(source)}`);
      continue;
    }
    const referencePath = `${sourcePath}.reference`;
    const reference = ownField(source, 'reference');
    if (reference === undefined || reference === null || reference === '') {
      // Required in a Pod; a template may leave it empty for config management to fill in, and
      // the Pods made from it are checked (and rejected by the API server) on their own.
      if (isPod) out.problem(referencePath, 'Required value: an image volume must name an image');
      continue;
    }
    if (typeof reference !== 'string') {
      out.problem(referencePath, `must be a string, got ${jsonTypeOf(reference)}`);
      continue;
    }
    out.images.push({ image: reference, path: referencePath, location: 'imageVolume', name: nameOf(volume) });
  }
}

function nameOf(element: JsonObject): string {
  const name = ownField(element, 'name');
  return typeof name === 'string' ? name : '';
}
