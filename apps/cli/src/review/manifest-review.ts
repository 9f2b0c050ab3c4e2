import { randomUUID } from 'node:crypto';
import { parseAllDocuments } from 'yaml';

export interface ReviewRequest {
  readonly endpoint: 'validate' | 'imagereview';
  readonly body: unknown;
  /** Which document this came from, for messages. */
  readonly source: string;
}

/** Resource names of the kinds scangate inspects (the API server sends both). */
const RESOURCES: Readonly<Record<string, string>> = {
  Pod: 'pods',
  PodTemplate: 'podtemplates',
  ReplicationController: 'replicationcontrollers',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

/**
 * Each YAML/JSON document becomes one review: AdmissionReview and ImageReview documents are
 * sent as they are; any other object is wrapped as a CREATE of that object, as the API server
 * would send it.
 */
export function reviewRequestsOf(text: string): ReviewRequest[] {
  const documents = parseAllDocuments(text);
  const docs = Array.isArray(documents) ? documents : [documents];
  return docs.flatMap((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`document ${index + 1}: ${document.errors[0]?.message ?? 'invalid YAML'}`);
    }
    // Bounded alias expansion: a hostile file cannot balloon into a billion laughs.
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return [];
    return [toRequest(value, `document ${index + 1}`)];
  });
}

function toRequest(value: unknown, position: string): ReviewRequest {
  const object = value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '';
  const source = `${position}${kind ? ` (${kind}${name ? ` ${name}` : ''})` : ''}`;
  if (kind === 'AdmissionReview') return { endpoint: 'validate', body: value, source };
  if (kind === 'ImageReview') return { endpoint: 'imagereview', body: value, source };
  if (kind === '' || apiVersion === '') throw new Error(`${source}: not a Kubernetes object (apiVersion and kind are required)`);

  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default';
  return {
    endpoint: 'validate',
    source,
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: randomUUID(),
        kind: { group, version, kind },
        resource: { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` },
        requestKind: { group, version, kind },
        requestResource: { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` },
        ...(name ? { name } : {}),
        namespace,
        operation: 'CREATE',
        userInfo: { username: 'scangate-review' },
        object: value,
        oldObject: null,
        dryRun: true,
        options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      },
    },
  };
}
