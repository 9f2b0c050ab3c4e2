import type { GroupVersionKind } from './kube.types';

/** Which lists of a pod spec hold images that must be checked. */
export type PodSpecScope = 'all' | 'ephemeralOnly';

/** Where the pod spec sits inside an admitted object of a given kind. */
export interface PodSpecLocation {
  /** Field names from the object root to the pod spec (empty: the object itself). */
  readonly podSpecPath: readonly string[];
  readonly scope: PodSpecScope;
  /**
   * True when the object is a Pod (not a template). The API server requires an image volume's
   * `reference` only in Pods: in templates it may be left for config management to fill in.
   */
  readonly isPod: boolean;
}

const POD: PodSpecLocation = { podSpecPath: ['spec'], scope: 'all', isPod: true };
const POD_EPHEMERAL: PodSpecLocation = { podSpecPath: ['spec'], scope: 'ephemeralOnly', isPod: true };
/** Pre-1.22 `EphemeralContainers` kind: the object is `{ephemeralContainers: [...]}`. */
const LEGACY_EPHEMERAL: PodSpecLocation = { podSpecPath: [], scope: 'ephemeralOnly', isPod: true };
const TEMPLATE_SPEC: PodSpecLocation = { podSpecPath: ['spec', 'template', 'spec'], scope: 'all', isPod: false };
const POD_TEMPLATE: PodSpecLocation = { podSpecPath: ['template', 'spec'], scope: 'all', isPod: false };
const CRONJOB: PodSpecLocation = {
  podSpecPath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  scope: 'all',
  isPod: false,
};

/**
 * Supported kinds, keyed `group/kind`; every version of a group matches (apps v1, v1beta1,
 * v1beta2; batch v1, v1beta1, v2alpha1; extensions v1beta1), since the fields holding the pod
 * template never moved between versions.
 *
 * `extensions` never served StatefulSet; it is listed anyway because inspecting a kind that
 * cannot arrive costs nothing, while missing one that can would let it through.
 */
const MAIN_RESOURCE_KINDS: ReadonlyMap<string, PodSpecLocation> = new Map([
  ['/Pod', POD],
  ['/PodTemplate', POD_TEMPLATE],
  ['/ReplicationController', TEMPLATE_SPEC],
  ['apps/Deployment', TEMPLATE_SPEC],
  ['apps/ReplicaSet', TEMPLATE_SPEC],
  ['apps/StatefulSet', TEMPLATE_SPEC],
  ['apps/DaemonSet', TEMPLATE_SPEC],
  ['extensions/Deployment', TEMPLATE_SPEC],
  ['extensions/ReplicaSet', TEMPLATE_SPEC],
  ['extensions/StatefulSet', TEMPLATE_SPEC],
  ['extensions/DaemonSet', TEMPLATE_SPEC],
  ['batch/Job', TEMPLATE_SPEC],
  ['batch/CronJob', CRONJOB],
]);

export const EPHEMERAL_CONTAINERS_SUBRESOURCE = 'ephemeralcontainers';

/**
 * Where to look for images for `request.kind` (what the API server actually sent, never a guess
 * from the object) and `request.subResource`; undefined when nothing there can introduce an image.
 *
 * - `pods/ephemeralcontainers` (kind Pod): only `spec.ephemeralContainers`; the other
 *   containers were admitted when the Pod was created (as ImagePolicyWebhook does).
 * - kind `EphemeralContainers` (API servers before 1.22): only `ephemeralContainers` at the root.
 * - Any other subresource (`status`, `scale`, `binding`, `resize`, ...) cannot change images:
 *   the API server keeps the stored spec, so re-checking would only block status updates of
 *   running Pods whose image verdict has since changed.
 */
export function podSpecLocationFor(kind: GroupVersionKind, subResource?: string): PodSpecLocation | undefined {
  if (kind.group === '' && kind.kind === 'EphemeralContainers') return LEGACY_EPHEMERAL;
  if (subResource !== undefined && subResource !== '') {
    if (subResource === EPHEMERAL_CONTAINERS_SUBRESOURCE && kind.group === '' && kind.kind === 'Pod') {
      return POD_EPHEMERAL;
    }
    return undefined;
  }
  return MAIN_RESOURCE_KINDS.get(`${kind.group}/${kind.kind}`);
}

/** The resource (plural) the API server names for each kind scangate inspects. */
const RESOURCES_BY_KIND: ReadonlyMap<string, string> = new Map([
  ['Pod', 'pods'],
  ['PodTemplate', 'podtemplates'],
  ['ReplicationController', 'replicationcontrollers'],
  ['Deployment', 'deployments'],
  ['ReplicaSet', 'replicasets'],
  ['StatefulSet', 'statefulsets'],
  ['DaemonSet', 'daemonsets'],
  ['Job', 'jobs'],
  ['CronJob', 'cronjobs'],
  ['EphemeralContainers', 'pods'],
]);

export function resourceForKind(kind: string): string | undefined {
  return RESOURCES_BY_KIND.get(kind);
}

/** Where the metadata of the Pod (or Pod template) sits: its annotations travel to the Pods. */
export function podMetadataPath(location: PodSpecLocation): readonly string[] | undefined {
  const { podSpecPath } = location;
  return podSpecPath[podSpecPath.length - 1] === 'spec' ? [...podSpecPath.slice(0, -1), 'metadata'] : undefined;
}
