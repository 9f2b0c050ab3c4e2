import type { ImageRef } from '@scangate/image-ref';
import { tryParseImageRef } from '@scangate/image-ref';
import type { GroupVersionKind } from '@scangate/kube';
import { extractImages } from '@scangate/kube';
import { type Document, isAlias, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { pathSegments } from './json-path';

/** The manifest digest the registry serves for a reference (for a digest reference: that digest, if still served). */
export type DigestResolver = (ref: ImageRef) => Promise<string>;

export interface PinnedImage {
  /** `document 2 (Deployment web)`. */
  readonly document: string;
  /** Field path inside the document, as the kube extractor prints it. */
  readonly path: string;
  /** The reference as written. */
  readonly image: string;
  /** The reference as it now reads (unchanged when it was already pinned). */
  readonly pinned: string;
  /** `pinned`: a digest was added; `verified`: already pinned, and the registry still serves that digest. */
  readonly action: 'pinned' | 'verified';
}

export interface PinResult {
  readonly text: string;
  readonly images: readonly PinnedImage[];
}

export interface PinFailure {
  readonly document: string;
  readonly path: string;
  /** The reference as written ('' when the failure is not about one reference). */
  readonly image: string;
  readonly message: string;
}

/** Nothing was rewritten: every reference that could not be pinned is listed. */
export class PinError extends Error {
  override readonly name = 'PinError';
  constructor(readonly failures: readonly PinFailure[]) {
    super(
      `cannot pin the manifests (${failures.length} problem${failures.length === 1 ? '' : 's'}):\n` +
        failures.map((failure) => `  ${describeFailure(failure)}`).join('\n'),
    );
  }
}

export interface PinOptions {
  /** Registry look-ups in flight at once (the registry client also bounds them per registry). */
  readonly concurrency?: number;
}

/** One image reference found in the source, with the source range of its scalar. */
interface Site {
  readonly document: string;
  readonly path: string;
  readonly image: string;
  /** [start, end) of the scalar's value in the text (quotes included). */
  readonly range: readonly [number, number];
  readonly ref: ImageRef;
}

const DEFAULT_CONCURRENCY = 4;
/** Bounded alias expansion: a hostile file cannot balloon into a billion laughs. */
const MAX_ALIAS_COUNT = 100;

/**
 * Rewrites every image reference of the Kubernetes objects in a (multi-document) YAML or JSON
 * text to `name:tag@digest`: the reference stays as written (familiar form, tag; `:latest` is
 * written out when there was no tag, so people still see which tag was pinned) and gains the
 * digest `resolve` reports. References already carrying a digest are re-verified and left as
 * they are.
 *
 * Only the characters of each image scalar change: comments, quoting, flow style, line endings
 * and every other byte are kept, because the edit is spliced into the source at the scalar's
 * range rather than re-serialising the document. Documents that are not Kubernetes objects, and
 * kinds without a pod spec, are left untouched.
 *
 * All-or-nothing: any reference that cannot be located, parsed or resolved fails the whole run
 * with a PinError naming each one (document, path, image), and nothing is returned.
 */
export async function pinManifests(
  text: string,
  resolve: DigestResolver,
  options: PinOptions = {},
): Promise<PinResult> {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const failures: PinFailure[] = [];
  const sites: Site[] = [];
  documents.forEach((document, index) => {
    if (document.errors.length > 0) {
      const error = document.errors[0];
      throw new PinError([
        {
          document: `document ${index + 1}`,
          path: '',
          image: '',
          message: `invalid YAML: ${error?.message ?? 'parse error'}`,
        },
      ]);
    }
    collectSites(document, index, lineCounter, sites, failures);
  });

  const digests = await resolveAll(unique(sites), resolve, options.concurrency ?? DEFAULT_CONCURRENCY);

  const images: PinnedImage[] = [];
  const edits = new Map<number, { readonly range: readonly [number, number]; readonly text: string }>();
  for (const site of sites) {
    const outcome = digests.get(site.image);
    if (outcome === undefined) continue;
    if (!outcome.ok) {
      failures.push({ ...where(site), message: outcome.message });
      continue;
    }
    const digest = outcome.digest;
    if (site.ref.digest !== undefined) {
      if (digest !== site.ref.digest) {
        failures.push({
          ...where(site),
          message: `the registry answers ${digest} for a reference pinned to ${site.ref.digest}`,
        });
        continue;
      }
      images.push({ ...where(site), pinned: site.image, action: 'verified' });
      continue;
    }
    const pinned = `${site.image}${site.ref.tag === undefined ? ':latest' : ''}@${digest}`;
    const check = tryParseImageRef(pinned);
    if (!check.ok || check.ref.digest !== digest) {
      failures.push({
        ...where(site),
        message: `the registry client returned an invalid digest ${JSON.stringify(digest)}`,
      });
      continue;
    }
    images.push({ ...where(site), pinned, action: 'pinned' });
    // An anchored scalar used through aliases is one edit, whichever path reached it.
    edits.set(site.range[0], { range: site.range, text: scalarSource(text, site, pinned) });
  }
  if (failures.length > 0) throw new PinError(failures);

  let out = text;
  for (const edit of [...edits.values()].sort((a, b) => b.range[0] - a.range[0])) {
    out = out.slice(0, edit.range[0]) + edit.text + out.slice(edit.range[1]);
  }
  return { text: out, images };
}

function collectSites(
  document: Document,
  index: number,
  lines: LineCounter,
  sites: Site[],
  failures: PinFailure[],
): void {
  const value: unknown = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  if (!isKubeObject(value)) return; // empty, a scalar, or not a Kubernetes object: untouched
  const label = documentLabel(index, value);
  if (value.kind === 'List' && Array.isArray(value['items'])) {
    // `kubectl get -o yaml` output: a v1 List whose items are objects.
    value['items'].forEach((item: unknown, i) => {
      if (isKubeObject(item))
        collectObject(document, item, ['items', i], `items[${i}].`, label, lines, sites, failures);
    });
    return;
  }
  collectObject(document, value, [], '', label, lines, sites, failures);
}

function collectObject(
  document: Document,
  object: KubeObject,
  prefix: readonly (string | number)[],
  pathPrefix: string,
  label: string,
  lines: LineCounter,
  sites: Site[],
  failures: PinFailure[],
): void {
  const extraction = extractImages(groupVersionKind(object), object);
  if (!extraction.supportedKind) return;
  for (const problem of extraction.problems) {
    // A missing pod spec, container list or image holds nothing to pin (a patch or a template
    // left for later tooling); a field of the wrong type might hide an image, so it fails.
    if (problem.message.startsWith('Required value')) continue;
    failures.push({ document: label, path: pathPrefix + problem.path, image: '', message: problem.message });
  }
  for (const found of extraction.images) {
    const path = pathPrefix + found.path;
    let node = document.getIn([...prefix, ...pathSegments(found.path)], true);
    if (isAlias(node)) node = node.resolve(document);
    if (!isScalar(node) || node.value !== found.image || node.range === undefined || node.range === null) {
      failures.push({
        document: label,
        path,
        image: found.image,
        message: 'cannot locate this reference in the YAML source',
      });
      continue;
    }
    const range: [number, number] = [node.range[0], node.range[1]];
    const position = lines.linePos(range[0]);
    const document_ = `${label}, line ${position.line}`;
    const parsed = tryParseImageRef(found.image);
    if (!parsed.ok) {
      failures.push({
        document: document_,
        path,
        image: found.image,
        message: `invalid image reference: ${parsed.error.message}`,
      });
      continue;
    }
    sites.push({ document: document_, path, image: found.image, range, ref: parsed.ref });
  }
}

/**
 * The scalar's new source text. The reference is spliced where it is written inside the scalar
 * (plain, quoted or block), keeping the quotes; a scalar whose source does not spell the value
 * verbatim (escape sequences) is replaced by a double-quoted one.
 */
function scalarSource(text: string, site: Site, pinned: string): string {
  const source = text.slice(site.range[0], site.range[1]);
  const at = source.indexOf(site.image);
  if (at === -1) return JSON.stringify(pinned);
  return source.slice(0, at) + pinned + source.slice(at + site.image.length);
}

type Outcome = { readonly ok: true; readonly digest: string } | { readonly ok: false; readonly message: string };

async function resolveAll(
  sites: readonly Site[],
  resolve: DigestResolver,
  concurrency: number,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < sites.length) {
      const site = sites[next++];
      if (site === undefined) break;
      try {
        outcomes.set(site.image, { ok: true, digest: await resolve(site.ref) });
      } catch (error) {
        outcomes.set(site.image, { ok: false, message: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, sites.length)) }, lane));
  return outcomes;
}

/** One site per distinct reference: each is looked up once, however often it is used. */
function unique(sites: readonly Site[]): Site[] {
  const seen = new Map<string, Site>();
  for (const site of sites) if (!seen.has(site.image)) seen.set(site.image, site);
  return [...seen.values()];
}

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly [field: string]: unknown;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const object = value as Record<string, unknown>;
  return (
    typeof object['apiVersion'] === 'string' &&
    object['apiVersion'] !== '' &&
    typeof object['kind'] === 'string' &&
    object['kind'] !== ''
  );
}

function groupVersionKind(object: KubeObject): GroupVersionKind {
  const slash = object.apiVersion.indexOf('/');
  return {
    group: slash === -1 ? '' : object.apiVersion.slice(0, slash),
    version: slash === -1 ? object.apiVersion : object.apiVersion.slice(slash + 1),
    kind: object.kind,
  };
}

function documentLabel(index: number, object: KubeObject): string {
  const metadata = object['metadata'];
  const name =
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof (metadata as Record<string, unknown>)['name'] === 'string'
      ? ((metadata as Record<string, unknown>)['name'] as string)
      : '';
  return `document ${index + 1} (${object.kind}${name ? ` ${name}` : ''})`;
}

function where(site: Site): Pick<PinnedImage, 'document' | 'path' | 'image'> {
  return { document: site.document, path: site.path, image: site.image };
}

function describeFailure(failure: PinFailure): string {
  const image = failure.image === '' ? '' : ` ${JSON.stringify(failure.image)}`;
  return `${failure.document}${failure.path === '' ? '' : `: ${failure.path}`}${image}: ${failure.message}`;
}
