import { parseImageRef } from '@scangate/image-ref';
import type { KubeFixtureName } from './fixtures/kube';
import {
  KUBE_FIXTURES,
  KUBE_FIXTURE_NAMES,
  fixtureReview,
  imageReview,
  kubeObject,
  withoutEphemeralContainers,
} from './fixtures/kube';
import { assertAdmissionReviewResponse, assertImageReviewResponse } from './harness/kube-schemas';
import { setAtPath } from './harness/json-path';
import type { TestWebhook } from './harness/webhook-harness';
import { loadTestConfig, startTestWebhook } from './harness/webhook-harness';

interface Answer {
  apiVersion: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

let server: TestWebhook;

beforeAll(async () => {
  server = await startTestWebhook({
    loaded: loadTestConfig(undefined, { SCANGATE_ADMISSION_EXEMPTNAMESPACES: 'kube-system' }),
  });
});
afterAll(() => server.stop());

async function validate(body: object, on: TestWebhook = server): Promise<Answer> {
  const res = await on.client.post('/validate?timeout=10s', body);
  expect(res.status).toBe(200);
  const answer = res.json<Answer>();
  const request = body as { apiVersion: string; request: { uid: string } };
  assertAdmissionReviewResponse(answer, request.apiVersion, request.request.uid);
  return answer;
}

/** Whether the default local rules pass an image (no :latest, no untagged, parseable). */
function passesDefaults(image: string): boolean {
  try {
    const ref = parseImageRef(image);
    return ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== 'latest');
  } catch {
    return false;
  }
}

function creatable(name: KubeFixtureName): object {
  return name === 'pod' ? withoutEphemeralContainers(kubeObject(name)) : kubeObject(name);
}

describe('POST /validate over HTTPS, every kind and image location', () => {
  describe.each(['v1', 'v1beta1'] as const)('AdmissionReview %s', (version) => {
    it.each(KUBE_FIXTURE_NAMES)('%s: decided on every image, answered in the version received', async (name) => {
      const fixture = KUBE_FIXTURES[name];
      const body = fixtureReview(name, {
        version,
        ...(fixture.kind.kind === 'Pod' && !('subResource' in fixture) ? { object: creatable(name) } : {}),
      });
      const answer = await validate(body);
      expect(answer.apiVersion).toBe(`admission.k8s.io/${version}`);
      const sent = (body.request['object'] === undefined ? [] : fixture.images).filter(
        (i) => !(name === 'pod' && i.location === 'ephemeralContainer'),
      );
      expect(answer.response.allowed).toBe(sent.every((i) => passesDefaults(i.image)));
    });

    it.each(KUBE_FIXTURE_NAMES)('%s: a denied image at every location is named with its path', async (name) => {
      const fixture = KUBE_FIXTURES[name];
      const object = kubeObject(name);
      for (const image of fixture.images) setAtPath(object, image.path, 'nginx:latest');
      const answer = await validate(fixtureReview(name, { version, object }));
      expect(answer.response.allowed).toBe(false);
      expect(answer.response.status?.code).toBe(403);
      const expected =
        'subResource' in fixture ? fixture.images.filter((i) => i.location === 'ephemeralContainer') : fixture.images;
      for (const image of expected) expect(answer.response.status?.message).toContain(`${image.path} ("nginx:latest")`);
      expect(answer.response.status?.message.match(/\[latest-tag\]/g)).toHaveLength(expected.length);
    });
  });

  it('name:tag@digest counts the digest; a malformed reference is denied with the parser reason', async () => {
    const pod = withoutEphemeralContainers(kubeObject('pod'));
    setAtPath(pod, 'spec.containers[0].image', `nginx:latest@sha256:${'c'.repeat(64)}`);
    const pinned = await validate(fixtureReview('pod', { object: pod, operation: 'CREATE', subResource: undefined }));
    expect(pinned.response.allowed).toBe(true);
    setAtPath(pod, 'spec.containers[0].image', 'nginx:1.25@sha256:short');
    const bad = await validate(fixtureReview('pod', { object: pod, operation: 'CREATE', subResource: undefined }));
    expect(bad.response.allowed).toBe(false);
    expect(bad.response.status?.message).toContain('[malformed-reference]');
    expect(bad.response.status?.message).toMatch(/invalid checksum digest length|invalid reference format/);
  });

  it('exempt namespaces, DELETE and dryRun', async () => {
    const latest = withoutEphemeralContainers(kubeObject('pod'));
    setAtPath(latest, 'spec.containers[0].image', 'nginx:latest');
    const exempt = await validate(
      fixtureReview('pod', { object: latest, operation: 'CREATE', subResource: undefined, namespace: 'kube-system' }),
    );
    expect(exempt.response).toMatchObject({ allowed: true, auditAnnotations: { decision: 'exempt' } });
    const deleted = await validate(
      fixtureReview('pod', { operation: 'DELETE', subResource: undefined, oldObject: latest }),
    );
    expect(deleted.response).toMatchObject({ allowed: true, auditAnnotations: { decision: 'skipped' } });
    const dryRun = await validate(
      fixtureReview('pod', { object: latest, operation: 'CREATE', subResource: undefined, dryRun: true }),
    );
    expect(dryRun.response.allowed).toBe(false);
  });

  it('answers a Pod with 10,000 containers with a bounded denial', async () => {
    const pod = withoutEphemeralContainers(kubeObject('pod'));
    (pod['spec'] as { containers: unknown[] }).containers = Array.from({ length: 10_000 }, (_, i) => ({
      name: `c${i}`,
      image: `nginx:${i % 2 ? 'latest' : '1.25'}`,
    }));
    const answer = await validate(fixtureReview('pod', { object: pod, operation: 'CREATE', subResource: undefined }));
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain('5000 policy violations');
    expect(answer.response.status?.message).toContain('… and 4980 more');
  });
});

describe('allowed registries on a host boundary, over HTTPS', () => {
  let registries: TestWebhook;
  beforeAll(async () => {
    registries = await startTestWebhook({
      loaded: loadTestConfig(undefined, {
        SCANGATE_POLICY_ALLOWEDREGISTRIES: 'registry.example.com,docker.io/mycompany',
      }),
    });
  });
  afterAll(() => registries.stop());

  it('the pods/ephemeralcontainers subresource checks only the ephemeral containers', async () => {
    const pod = kubeObject('pod');
    setAtPath(pod, 'spec.ephemeralContainers[0].image', 'registry.example.com.evil.io/debug:1');
    const update = { operation: 'UPDATE', subResource: 'ephemeralcontainers' } as const;
    const answer = await validate(fixtureReview('pod', { object: pod, ...update }), registries);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain('1 policy violation\n');
    expect(answer.response.status?.message).toContain('spec.ephemeralContainers[0].image');
    expect(answer.response.status?.message).toContain('[registry-not-allowed]');
    expect(answer.response.status?.message).not.toContain('spec.containers');
  });

  it('prefix tricks do not pass; the real registry and repository do', async () => {
    const pod = withoutEphemeralContainers(kubeObject('pod'));
    (pod['spec'] as Record<string, unknown>)['volumes'] = [];
    setAtPath(pod, 'spec.containers[0].image', 'registry.example.com.evil.io/app:1');
    setAtPath(pod, 'spec.initContainers[0].image', 'mycompanyevil/app:1');
    const create = { operation: 'CREATE', subResource: undefined } as const;
    const answer = await validate(fixtureReview('pod', { object: pod, ...create }), registries);
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain(
      'spec.containers[0].image ("registry.example.com.evil.io/app:1")',
    );
    expect(answer.response.status?.message).toContain('spec.initContainers[0].image ("mycompanyevil/app:1")');
    setAtPath(pod, 'spec.containers[0].image', 'registry.example.com/app:1');
    setAtPath(pod, 'spec.initContainers[0].image', 'mycompany/app:1');
    setAtPath(pod, 'spec.containers[1].image', 'docker.io/mycompany/envoy:1');
    setAtPath(pod, 'spec.initContainers[1].image', 'index.docker.io/mycompany/tools/busybox:1');
    const ok = await validate(fixtureReview('pod', { object: pod, ...create }), registries);
    expect(ok.response.status?.message).toBeUndefined();
    expect(ok.response.allowed).toBe(true);
  });
});

describe('POST /imagereview', () => {
  it('denies and allows, with the ImageReview shape', async () => {
    const denied = await server.client.post('/imagereview', imageReview({ images: ['nginx:latest', 'quay.io/x/y:1'] }));
    expect(denied.status).toBe(200);
    assertImageReviewResponse(denied.json());
    expect(denied.json()).toMatchObject({
      status: { allowed: false, reason: expect.stringContaining('spec.containers[0].image') },
    });
    const allowed = await server.client.post('/imagereview', imageReview({ images: ['quay.io/x/y:1'] }));
    assertImageReviewResponse(allowed.json());
    expect(allowed.json()).toMatchObject({ status: { allowed: true } });
  });

  it('honours *.image-policy.k8s.io/break-glass', async () => {
    const res = await server.client.post(
      '/imagereview',
      imageReview({ images: ['nginx:latest'], annotations: { 'ops.image-policy.k8s.io/break-glass': 'INC-7' } }),
    );
    assertImageReviewResponse(res.json());
    expect(res.json()).toMatchObject({ status: { allowed: true, auditAnnotations: { decision: 'break-glass' } } });
  });
});

describe('the HTTP error contract', () => {
  const valid = () => fixtureReview('deployment');

  it.each([
    ['malformed JSON', '{"apiVersion":', 'MALFORMED_REQUEST'],
    ['a prototype-pollution key', '{"__proto__":{"polluted":true}}', 'MALFORMED_REQUEST'],
    ['an empty body', '', 'MALFORMED_REQUEST'],
    ['a JSON array', '[]', 'INVALID_REVIEW'],
  ])('%s → 400 with a reason', async (_label, body, code) => {
    const res = await server.client.post('/validate', body);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code, message: expect.any(String) });
  });

  it.each([
    ['missing request.uid', (b: Record<string, any>) => delete b['request']['uid'], 'request.uid'],
    ['wrong apiVersion', (b: Record<string, any>) => (b['apiVersion'] = 'admission.k8s.io/v2'), 'apiVersion'],
    ['wrong kind', (b: Record<string, any>) => (b['kind'] = 'ImageReview'), 'kind'],
    ['bad operation', (b: Record<string, any>) => (b['request']['operation'] = 'PATCH'), 'request.operation'],
  ])('%s → 400 naming the field', async (_label, mutate, field) => {
    const body = valid() as Record<string, any>;
    mutate(body);
    const res = await server.client.post('/validate', body);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_REVIEW', field });
  });

  it('a non-JSON content type → 415', async () => {
    const res = await server.client.post('/validate', JSON.stringify(valid()), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('a body above server.bodyLimitBytes → 413', async () => {
    const body = JSON.stringify({ ...valid(), padding: 'x'.repeat(server.loaded.config.server.bodyLimitBytes) });
    const res = await server.client.post('/validate', body);
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE', message: expect.stringContaining('bodyLimitBytes') });
  });

  it('health and readiness', async () => {
    expect((await server.client.get('/healthz')).status).toBe(200);
    const ready = await server.client.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready' });
  });
});
