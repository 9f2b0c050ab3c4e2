import { encodeAdmissionReview, encodeImageReview } from '@scangate/kube';
import { kubeObject } from './fixtures/kube';
import {
  ADMISSION_REVIEW_RESPONSE_SCHEMA,
  IMAGE_REVIEW_RESPONSE_SCHEMA,
  admissionReviewResponseViolations,
  apiTestdata,
  assertAdmissionReviewResponse,
  assertImageReviewResponse,
  assertKubernetesObject,
  auditAnnotationKeyViolations,
  imageReviewResponseViolations,
  knownKubernetesKinds,
  kubernetesObjectViolations,
} from './harness/kube-schemas';

const V1 = 'admission.k8s.io/v1';
const V1BETA1 = 'admission.k8s.io/v1beta1';
const UID = 'b1f2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

type Json = Record<string, unknown>;

function allow(extra: Json = {}, version = V1): Json {
  return { apiVersion: version, kind: 'AdmissionReview', response: { uid: UID, allowed: true, ...extra } };
}

function deny(extra: Json = {}): Json {
  return {
    apiVersion: V1,
    kind: 'AdmissionReview',
    response: {
      uid: UID,
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'image docker.io/x:1 failed policy' },
      ...extra,
    },
  };
}

function errorOf(fn: () => void): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('AdmissionReview response schema is built from the official fixture', () => {
  it.each(['admission.k8s.io.v1.AdmissionReview', 'admission.k8s.io.v1beta1.AdmissionReview'])(
    '%s: the response fields are exactly the fixture’s',
    (name) => {
      const response = apiTestdata(name)['response'] as Json;
      expect(Object.keys(ADMISSION_REVIEW_RESPONSE_SCHEMA.properties.response.properties).sort()).toEqual(
        Object.keys(response).sort(),
      );
    },
  );

  it.each([
    ['admission.k8s.io.v1.AdmissionReview', V1],
    ['admission.k8s.io.v1beta1.AdmissionReview', V1BETA1],
  ])('%s: the fixture response breaks only the rules for validating webhooks (and one 1.36 field)', (name, version) => {
    const fixture = apiTestdata(name);
    const body = { apiVersion: fixture['apiVersion'], kind: fixture['kind'], response: fixture['response'] };
    expect(admissionReviewResponseViolations(body, version, 'uidValue').sort()).toEqual(
      [
        // ListMeta.shardInfo is new in 1.36; the OpenAPI is the tested release's (1.34), validated strictly.
        'response.status.metadata: must NOT have additional properties (shardInfo)',
        'response.patch: a validating webhook must not return it',
        'response.patchType: a validating webhook must not return it',
        'response.status: present although allowed (the API server reads it only on denial)',
      ].sort(),
    );
  });

  it('status is meta.v1.Status from the saved core OpenAPI', () => {
    expect(ADMISSION_REVIEW_RESPONSE_SCHEMA.properties.response.properties.status.$ref).toMatch(
      /api__v1_openapi\.json#\/definitions\/io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.Status$/,
    );
    const violations = admissionReviewResponseViolations(
      deny({ status: { code: 403, message: 'm', details: { causes: [{ field: 1 }] }, bogus: true } }),
      V1,
      UID,
    );
    expect(violations).toEqual(
      expect.arrayContaining([
        'response.status: must NOT have additional properties (bogus)',
        'response.status.details.causes[0].field: must be string',
      ]),
    );
  });
});

describe('assertAdmissionReviewResponse accepts good responses', () => {
  it.each([V1, V1BETA1])('what encodeAdmissionReview writes (%s)', (version) => {
    const apiVersion = version as typeof V1;
    expect(() =>
      assertAdmissionReviewResponse(encodeAdmissionReview(apiVersion, { uid: UID, allowed: true }), version, UID),
    ).not.toThrow();
    const denial = encodeAdmissionReview(apiVersion, {
      uid: UID,
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'image docker.io/x:1 has 3 critical CVEs' },
      warnings: ['image docker.io/y:2 has 3 high CVEs'],
      auditAnnotations: { decision: 'denied', 'image-0.digest': 'sha256:abc' },
    });
    expect(admissionReviewResponseViolations(denial, version, UID)).toEqual([]);
  });

  it('an allow with warnings and annotations', () => {
    const body = allow({
      warnings: ['w'.repeat(120)],
      auditAnnotations: { decision: 'allowed', 'verdict-age_s': '12' },
    });
    expect(admissionReviewResponseViolations(body, V1, UID)).toEqual([]);
  });

  it('counts warning length in characters, not UTF-16 units', () => {
    expect(admissionReviewResponseViolations(allow({ warnings: ['😀'.repeat(120)] }), V1, UID)).toEqual([]);
  });

  it('a denial with any 4xx/5xx code', () => {
    expect(
      admissionReviewResponseViolations(deny({ status: { code: 400, message: 'bad reference' } }), V1, UID),
    ).toEqual([]);
  });
});

describe('assertAdmissionReviewResponse rejects bad responses', () => {
  it.each<[string, unknown, string, string]>([
    ['a string body', 'nope', V1, '(root): must be object'],
    ['a wrong uid', allow(), V1, 'response.uid: "b1f2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d" is not the request\'s "other"'],
    [
      'a v1beta1 answer to v1',
      allow({}, V1BETA1),
      V1,
      'apiVersion: "admission.k8s.io/v1beta1" is not the request\'s "admission.k8s.io/v1"',
    ],
    [
      'a v1 answer to v1beta1',
      allow(),
      V1BETA1,
      'apiVersion: "admission.k8s.io/v1" is not the request\'s "admission.k8s.io/v1beta1"',
    ],
    ['a wrong kind', { ...allow(), kind: 'ImageReview' }, V1, 'kind: "ImageReview" is not "AdmissionReview"'],
    [
      'a missing response',
      { apiVersion: V1, kind: 'AdmissionReview' },
      V1,
      "(root): must have required property 'response'",
    ],
    [
      'an echoed request',
      { ...allow(), request: { uid: UID } },
      V1,
      '(root): must NOT have additional properties (request)',
    ],
    ['an unknown response field', allow({ reason: 'x' }), V1, 'response: must NOT have additional properties (reason)'],
    [
      'a missing allowed',
      { apiVersion: V1, kind: 'AdmissionReview', response: { uid: UID } },
      V1,
      "response: must have required property 'allowed'",
    ],
    ['allowed as a string', allow({ allowed: 'true' }), V1, 'response.allowed: must be boolean'],
    [
      'a patch',
      allow({ patch: 'W10=', patchType: 'JSONPatch' }),
      V1,
      'response.patch: a validating webhook must not return it',
    ],
    [
      'a patchType',
      allow({ patchType: 'JSONPatch' }),
      V1,
      'response.patchType: a validating webhook must not return it',
    ],
    [
      'a denial without status',
      { apiVersion: V1, kind: 'AdmissionReview', response: { uid: UID, allowed: false } },
      V1,
      'response.status.code: a denial needs a code ≥ 400 (the API server turns null into 400)',
    ],
    [
      'a denial with code 200',
      deny({ status: { code: 200, message: 'm' } }),
      V1,
      'response.status.code: a denial needs a code ≥ 400 (the API server turns 200 into 400)',
    ],
    [
      'a denial with code 0',
      deny({ status: { code: 0, message: 'm' } }),
      V1,
      'response.status.code: a denial needs a code ≥ 400 (the API server turns 0 into 400)',
    ],
    [
      'a denial without message',
      deny({ status: { code: 403, reason: 'Forbidden' } }),
      V1,
      'response.status.message: a denial must say why (the user sees only this)',
    ],
    ['a string code', deny({ status: { code: '403', message: 'm' } }), V1, 'response.status.code: must be integer'],
    [
      'a status on an allow',
      allow({ status: { code: 200 } }),
      V1,
      'response.status: present although allowed (the API server reads it only on denial)',
    ],
    [
      'a 121-character warning',
      allow({ warnings: ['x'.repeat(121)] }),
      V1,
      'response.warnings[0]: 121 characters, more than 120',
    ],
    ['a non-string warning', allow({ warnings: [1] }), V1, 'response.warnings[0]: must be string'],
    ['warnings as a string', allow({ warnings: 'w' }), V1, 'response.warnings: must be array'],
    [
      'an audit key with a slash',
      allow({ auditAnnotations: { 'scangate.io/decision': 'denied' } }),
      V1,
      'response.auditAnnotations["scangate.io/decision"]: key must not contain "/" (the API server adds its own prefix)',
    ],
    [
      'a 64-character audit key',
      allow({ auditAnnotations: { ['k'.repeat(64)]: 'v' } }),
      V1,
      `response.auditAnnotations["${'k'.repeat(64)}"]: key must be at most 63 characters (has 64)`,
    ],
    [
      'an audit key ending in a dash',
      allow({ auditAnnotations: { 'decision-': 'v' } }),
      V1,
      'response.auditAnnotations["decision-"]: key must match [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?',
    ],
    [
      'a non-string audit value',
      allow({ auditAnnotations: { decision: true } }),
      V1,
      'response.auditAnnotations.decision: must be string',
    ],
    [
      'an unsupported request version',
      allow({}, 'admission.k8s.io/v2'),
      'admission.k8s.io/v2',
      'the request\'s apiVersion "admission.k8s.io/v2" is not an AdmissionReview version',
    ],
  ])('%s', (_label, body, version, violation) => {
    const uid = _label === 'a wrong uid' ? 'other' : UID;
    expect(admissionReviewResponseViolations(body, version, uid)).toContain(violation);
    expect(errorOf(() => assertAdmissionReviewResponse(body, version, uid))).toContain(violation);
  });

  it('lists every violation in one error', () => {
    const body = {
      apiVersion: V1BETA1,
      kind: 'AdmissionReview',
      response: {
        uid: 'x',
        allowed: false,
        patch: 'W10=',
        warnings: ['y'.repeat(200)],
        auditAnnotations: { 'a/b': 'c' },
      },
    };
    const message = errorOf(() => assertAdmissionReviewResponse(body, V1, UID));
    expect(message).toMatch(/^AdmissionReview response violates the contract \(7\):/);
    for (const part of [
      'apiVersion:',
      'response.uid:',
      'response.patch:',
      'response.status.code:',
      'response.status.message:',
      'response.warnings[0]:',
      'response.auditAnnotations["a/b"]:',
    ]) {
      expect(message).toContain(part);
    }
  });
});

describe('assertImageReviewResponse', () => {
  it('accepts the official fixture (status and all)', () => {
    expect(imageReviewResponseViolations(apiTestdata('imagepolicy.k8s.io.v1alpha1.ImageReview'))).toEqual([]);
  });

  it('its status fields are exactly the fixture’s', () => {
    const status = apiTestdata('imagepolicy.k8s.io.v1alpha1.ImageReview')['status'] as Json;
    expect(Object.keys(IMAGE_REVIEW_RESPONSE_SCHEMA.properties.status.properties).sort()).toEqual(
      Object.keys(status).sort(),
    );
  });

  it('accepts what encodeImageReview writes', () => {
    expect(() => assertImageReviewResponse(encodeImageReview({ allowed: true }))).not.toThrow();
    expect(() =>
      assertImageReviewResponse(
        encodeImageReview({ allowed: false, reason: 'image x failed policy', auditAnnotations: { decision: 'deny' } }),
      ),
    ).not.toThrow();
  });

  const review = (status: unknown, extra: Json = {}): Json => ({
    apiVersion: 'imagepolicy.k8s.io/v1alpha1',
    kind: 'ImageReview',
    status,
    ...extra,
  });

  it.each<[string, unknown, string]>([
    [
      'a missing status',
      { apiVersion: 'imagepolicy.k8s.io/v1alpha1', kind: 'ImageReview' },
      "(root): must have required property 'status'",
    ],
    ['allowed as a string', review({ allowed: 'false', reason: 'r' }), 'status.allowed: must be boolean'],
    ['a missing allowed', review({ reason: 'r' }), "status: must have required property 'allowed'"],
    [
      'an unknown status field',
      review({ allowed: true, message: 'm' }),
      'status: must NOT have additional properties (message)',
    ],
    [
      'an unknown top-level field',
      review({ allowed: true }, { response: {} }),
      '(root): must NOT have additional properties (response)',
    ],
    [
      'a wrong apiVersion',
      { ...review({ allowed: true }), apiVersion: 'imagepolicy.k8s.io/v1beta1' },
      'apiVersion: "imagepolicy.k8s.io/v1beta1" is not "imagepolicy.k8s.io/v1alpha1"',
    ],
    [
      'a wrong kind',
      { ...review({ allowed: true }), kind: 'AdmissionReview' },
      'kind: "AdmissionReview" is not "ImageReview"',
    ],
    [
      'a denial without reason',
      review({ allowed: false }),
      'status.reason: a denial must say why (the user sees only this)',
    ],
    [
      'an audit key with a slash',
      review({ allowed: true, auditAnnotations: { 'x/y': 'z' } }),
      'status.auditAnnotations["x/y"]: key must not contain "/" (the API server adds its own prefix)',
    ],
    [
      'a non-string audit value',
      review({ allowed: true, auditAnnotations: { a: 1 } }),
      'status.auditAnnotations.a: must be string',
    ],
  ])('rejects %s', (_label, body, violation) => {
    expect(imageReviewResponseViolations(body)).toContain(violation);
    expect(errorOf(() => assertImageReviewResponse(body))).toContain(violation);
  });
});

describe('auditAnnotationKeyViolations', () => {
  it.each(['decision', 'image-0.digest', 'a', 'A_b.c-9', 'k'.repeat(63)])('accepts %s', (key) => {
    expect(auditAnnotationKeyViolations(key)).toEqual([]);
  });

  it.each(['', '-a', 'a_', 'scangate.io/decision', 'a b', 'é', 'k'.repeat(64)])('rejects %p', (key) => {
    expect(auditAnnotationKeyViolations(key).length).toBeGreaterThan(0);
  });
});

describe('kubernetesObjectViolations (strict OpenAPI)', () => {
  const pod = (): Json => kubeObject('pod');
  const containers = (object: Json): Json[] => (object['spec'] as Json)['containers'] as Json[];

  it('knows the kinds of the saved core, apps and batch documents', () => {
    expect(knownKubernetesKinds()).toEqual(
      expect.arrayContaining([
        'v1/Pod',
        'v1/PodTemplate',
        'v1/ReplicationController',
        'apps/v1/Deployment',
        'batch/v1/CronJob',
      ]),
    );
  });

  it('rejects an unknown field (a typo the API server would refuse under strict validation)', () => {
    const object = pod();
    (containers(object)[0] as Json)['imagePullPolicyy'] = 'Always';
    expect(kubernetesObjectViolations(object)).toEqual([
      'spec.containers[0]: must NOT have additional properties (imagePullPolicyy)',
    ]);
  });

  it('rejects wrong types', () => {
    const object = pod();
    (containers(object)[0] as Json)['image'] = 42;
    ((object['spec'] as Json)['volumes'] as Json[])[2] = { name: 'models', image: { reference: ['x'] } };
    expect(kubernetesObjectViolations(object)).toEqual([
      'spec.containers[0].image: must be string',
      'spec.volumes[2].image.reference: must be string',
    ]);
  });

  it('rejects a container without its required name', () => {
    const object = kubeObject('deployment');
    const spec = ((object['spec'] as Json)['template'] as Json)['spec'] as Json;
    delete (spec['containers'] as Json[])[0]?.['name'];
    expect(kubernetesObjectViolations(object)).toEqual([
      "spec.template.spec.containers[0]: must have required property 'name'",
    ]);
  });

  it('rejects duplicate keys in a list-map (two containers named alike)', () => {
    const object = pod();
    containers(object).push({ ...(containers(object)[0] as Json) });
    expect(kubernetesObjectViolations(object)).toEqual([
      'spec.containers: must not repeat the key (name) ["checkout"]',
    ]);
  });

  it('checks formats (int-or-string, date-time)', () => {
    const object = kubeObject('deployment');
    const strategy = (object['spec'] as Json)['strategy'] as Json;
    (strategy['rollingUpdate'] as Json)['maxSurge'] = 1;
    expect(kubernetesObjectViolations(object)).toEqual([]);
    (strategy['rollingUpdate'] as Json)['maxSurge'] = true;
    (object['metadata'] as Json)['creationTimestamp'] = 'yesterday';
    expect(kubernetesObjectViolations(object)).toEqual(
      expect.arrayContaining(['metadata.creationTimestamp: must match format "date-time"']),
    );
    expect(kubernetesObjectViolations(object).some((v) => v.startsWith('spec.strategy.rollingUpdate.maxSurge'))).toBe(
      true,
    );
  });

  it('names a kind it has no schema for', () => {
    expect(kubernetesObjectViolations({ apiVersion: 'example.com/v1', kind: 'Widget' })).toEqual([
      '(root): no saved OpenAPI schema for example.com/v1/Widget',
    ]);
    expect(kubernetesObjectViolations(kubeObject('ephemeralcontainers-v1.21'))).toEqual([
      '(root): no saved OpenAPI schema for v1/EphemeralContainers',
    ]);
  });

  it('assertKubernetesObject throws with every violation', () => {
    const object = pod();
    (containers(object)[0] as Json)['image'] = 1;
    (containers(object)[1] as Json)['bogus'] = 1;
    const message = errorOf(() => assertKubernetesObject(object));
    expect(message).toContain('violates the contract (2)');
    expect(message).toContain('spec.containers[0].image: must be string');
    expect(message).toContain('spec.containers[1]: must NOT have additional properties (bogus)');
  });
});
