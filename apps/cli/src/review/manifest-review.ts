import { randomUUID } from 'node:crypto';
import { resourceForKind } from '@scangate/kube';
import { parseAllDocuments } from 'yaml';

export interface ReviewRequest {
  readonly endpoint: 'validate' | 'imagereview';
  readonly body: unknown;
  /** Which document this came from, for messages. */
  readonly source: string;
}

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
  if (kind === '' || apiVersion === '')
    throw new Error(`${source}: not a Kubernetes object (apiVersion and kind are required)`);

  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : 'default';
  const resource = { group, version, resource: resourceForKind(kind) ?? `${kind.toLowerCase()}s` };
  return {
    endpoint: 'validate',
    source,
    body: {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: randomUUID(),
        kind: { group, version, kind },
        resource,
        requestKind: { group, version, kind },
        requestResource: resource,
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
