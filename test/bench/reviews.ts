/**
 * The AdmissionReviews the benchmark posts, built the way the API server sends them. Every image
 * passes the local rules (an allowed registry, a version tag), so scangate (b) answers from its
 * rules alone and (c) must also find a verdict for each image: the path a production cluster takes
 * for almost every Pod. The same bodies go to the bare server, scangate and OPA.
 */

export const ALLOWED_REGISTRIES = ['registry.example.com', 'ghcr.io'] as const;

/** 7 MiB is `server.bodyLimitBytes`' default; the large review stays below it. */
export const LARGE_REVIEW_BYTES = 6 * 1024 * 1024;

export interface BenchReview {
  readonly name: string;
  readonly body: string;
  /** Every image reference in `request.object` (what needs a verdict). */
  readonly images: readonly string[];
}

export function imageFor(index: number): string {
  return index === 0
    ? 'registry.example.com/team/app:1.4.2'
    : `registry.example.com/team/sidecar-${index}:2.${index}.0`;
}

/** A deterministic stand-in for a digest: sha256-shaped, distinct per image. */
export function digestFor(image: string): string {
  let h = 0x811c9dc5;
  const words: string[] = [];
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    words.push(h.toString(16).padStart(8, '0'));
  }
  return `sha256:${words.join('')}`;
}

function container(index: number, env: readonly { name: string; value: string }[] = []): Record<string, unknown> {
  return {
    name: index === 0 ? 'app' : `sidecar-${index}`,
    image: imageFor(index),
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: 8080 + index, protocol: 'TCP', name: `http-${index}` }],
    env: [{ name: 'LOG_LEVEL', value: 'info' }, ...env],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function pod(
  containers: readonly Record<string, unknown>[],
  annotations: Record<string, string> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'app-7d9f8b6c5-x2k4q',
      generateName: 'app-7d9f8b6c5-',
      namespace: 'shop',
      labels: { app: 'app', 'pod-template-hash': '7d9f8b6c5' },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'app-7d9f8b6c5',
          uid: '6f1c4a0e-3d5b-4c1a-9e8f-2b7d6a5c4e3f',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'app',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      schedulerName: 'default-scheduler',
      volumes: [
        {
          name: 'kube-api-access',
          projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] },
        },
      ],
    },
  };
}

function review(operation: 'CREATE' | 'UPDATE', object: unknown, oldObject: unknown): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '3c9f0a52-8e4b-4f6d-a1c7-5b2e9d8f7a61',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: 'app-7d9f8b6c5-x2k4q',
      namespace: 'shop',
      operation,
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        uid: 'a1b2c3d4',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
      },
      object,
      oldObject,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' },
    },
  });
}

/** A CREATE of a Pod with `containers` containers, each with its own image. */
export function podReview(containers: number): BenchReview {
  const list = Array.from({ length: containers }, (_, i) => container(i));
  return {
    name: `Pod, ${containers} container${containers === 1 ? '' : 's'}`,
    body: review('CREATE', pod(list), null),
    images: list.map((c) => c['image'] as string),
  };
}

/**
 * An UPDATE of a 3-container Pod whose object and oldObject are each about half of `totalBytes`:
 * a large `kubectl.kubernetes.io/last-applied-configuration` annotation and long env lists (the
 * shapes that make real Pods big), with a value changed between the two.
 */
export function largeUpdateReview(totalBytes = LARGE_REVIEW_BYTES): BenchReview {
  const build = (generation: number, envCount: number, annotationBytes: number): Record<string, unknown> => {
    const env = (c: number): { name: string; value: string }[] =>
      Array.from({ length: envCount }, (_, i) => ({
        name: `FEATURE_FLAG_${c}_${i}`,
        value: pseudoRandom(c * 1_000_003 + i + generation, 48),
      }));
    return pod([container(0, env(0)), container(1, env(1)), container(2, env(2))], {
      'kubectl.kubernetes.io/last-applied-configuration': pseudoRandom(generation, annotationBytes),
      'deployment.kubernetes.io/revision': String(generation),
    });
  };
  // Size one side with a probe, then scale the env lists to land just under the total.
  const annotationBytes = 512 * 1024;
  const probeEnv = 1000;
  const probe = review('UPDATE', build(2, probeEnv, annotationBytes), build(1, probeEnv, annotationBytes)).length;
  const perEnv =
    (probe - review('UPDATE', build(2, 0, annotationBytes), build(1, 0, annotationBytes)).length) / probeEnv;
  const envCount = Math.floor(probeEnv + (totalBytes - 4096 - probe) / perEnv);
  const body = review('UPDATE', build(2, envCount, annotationBytes), build(1, envCount, annotationBytes));
  return {
    name: `Pod UPDATE, ${(body.length / 1024 / 1024).toFixed(2)} MiB (object + oldObject)`,
    body,
    images: [0, 1, 2].map(imageFor),
  };
}

/** Deterministic base-36 text of `length` characters. */
function pseudoRandom(seed: number, length: number): string {
  let x = (seed * 2654435761) >>> 0 || 1;
  let out = '';
  while (out.length < length) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += x.toString(36);
  }
  return out.slice(0, length);
}

/**
 * Inputs on which scangate's local rules and the rego must decide alike (checked once per run
 * before any load): allowed, `:latest`, untagged, an unlisted registry, a registry-prefix trick,
 * and an init container.
 */
export function parityReviews(): readonly { readonly label: string; readonly body: string }[] {
  const one = (label: string, spec: Record<string, unknown>): { label: string; body: string } => ({
    label,
    body: review('CREATE', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec }, null),
  });
  return [
    one('allowed registry, version tag', { containers: [{ name: 'a', image: imageFor(0) }] }),
    one(':latest', { containers: [{ name: 'a', image: 'registry.example.com/team/app:latest' }] }),
    one('untagged', { containers: [{ name: 'a', image: 'ghcr.io/team/app' }] }),
    one('Docker Hub (not allowed)', { containers: [{ name: 'a', image: 'nginx:1.27' }] }),
    one('registry prefix trick', { containers: [{ name: 'a', image: 'registry.example.com.evil.io/team/app:1.0' }] }),
    one('registry with a port', { containers: [{ name: 'a', image: 'registry.example.com:5000/team/app:1.0' }] }),
    one('init container :latest', {
      initContainers: [{ name: 'i', image: 'ghcr.io/team/init:latest' }],
      containers: [{ name: 'a', image: imageFor(0) }],
    }),
    one('digest-pinned', { containers: [{ name: 'a', image: `ghcr.io/team/app@${digestFor('x')}` }] }),
  ];
}
