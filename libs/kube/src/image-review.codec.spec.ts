import fc from 'fast-check';
import { decodeImageReview, encodeImageReview } from './image-review.codec';
import { ReviewDecodeError } from './kube.types';

function imageReview(spec: unknown, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'imagepolicy.k8s.io/v1alpha1', kind: 'ImageReview', spec, ...envelope };
}

function decodeError(body: unknown): ReviewDecodeError {
  try {
    decodeImageReview(body);
  } catch (error) {
    if (error instanceof ReviewDecodeError) return error;
    throw error;
  }
  throw new Error('expected a ReviewDecodeError');
}

describe('decodeImageReview', () => {
  it('decodes what the ImagePolicyWebhook plugin sends', () => {
    const spec = decodeImageReview(
      imageReview({
        containers: [{ image: 'myrepo/myimage:v1' }, { image: 'myrepo/myimage@sha256:' + 'b'.repeat(64) }],
        annotations: { 'mycluster.image-policy.k8s.io/ticket-1234': 'break-glass' },
        namespace: 'mynamespace',
      }),
    );
    expect(spec).toEqual({
      containers: [{ image: 'myrepo/myimage:v1' }, { image: 'myrepo/myimage@sha256:' + 'b'.repeat(64) }],
      annotations: { 'mycluster.image-policy.k8s.io/ticket-1234': 'break-glass' },
      namespace: 'mynamespace',
    });
  });

  it('defaults the omitempty fields', () => {
    expect(decodeImageReview(imageReview({}))).toEqual({ containers: [], annotations: {}, namespace: '' });
  });

  it('ignores metadata, status and unknown fields, and copies only image', () => {
    const spec = decodeImageReview(
      imageReview(
        { containers: [{ image: 'a', name: 'ignored' }], extra: true },
        { metadata: { name: 'x' }, status: { allowed: true } },
      ),
    );
    expect(spec).toEqual({ containers: [{ image: 'a' }], annotations: {}, namespace: '' });
  });

  it('lets an empty image through (a malformed reference is for policy to deny)', () => {
    expect(decodeImageReview(imageReview({ containers: [{ image: '' }] })).containers).toEqual([{ image: '' }]);
  });

  it('keeps a __proto__ annotation as an ordinary key', () => {
    const body: unknown = JSON.parse(
      '{"apiVersion":"imagepolicy.k8s.io/v1alpha1","kind":"ImageReview","spec":{"annotations":{"__proto__":"x"}}}',
    );
    const spec = decodeImageReview(body);
    expect(Object.keys(spec.annotations)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(spec.annotations)).toBe(Object.prototype);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a non-object body', 42, '', /must be a JSON object, got number/],
    [
      'an AdmissionReview',
      imageReview({}, { apiVersion: 'admission.k8s.io/v1' }),
      'apiVersion',
      /"admission\.k8s\.io\/v1" is not supported/,
    ],
    [
      'a v1beta1 ImageReview',
      imageReview({}, { apiVersion: 'imagepolicy.k8s.io/v1beta1' }),
      'apiVersion',
      /not supported/,
    ],
    ['a wrong kind', imageReview({}, { kind: 'AdmissionReview' }), 'kind', /kind "AdmissionReview"/],
    ['a missing spec', imageReview(undefined), 'spec', /spec is required/],
    ['a string spec', imageReview('x'), 'spec', /spec must be an object, got string/],
    [
      'containers not a list',
      imageReview({ containers: { image: 'x' } }),
      'spec.containers',
      /must be a list, got object/,
    ],
    ['containers null', imageReview({ containers: null }), 'spec.containers', /got null/],
    [
      'a string container',
      imageReview({ containers: ['nginx'] }),
      'spec.containers[0]',
      /must be an object, got string/,
    ],
    ['a missing image', imageReview({ containers: [{ image: 'a' }, {}] }), 'spec.containers[1].image', /is required/],
    [
      'a numeric image',
      imageReview({ containers: [{ image: 1 }] }),
      'spec.containers[0].image',
      /must be a string, got number/,
    ],
    ['annotations a list', imageReview({ annotations: ['a'] }), 'spec.annotations', /must be an object, got array/],
    [
      'a numeric annotation',
      imageReview({ annotations: { a: 1 } }),
      'spec.annotations',
      /\["a"\] must be a string, got number/,
    ],
    ['a numeric namespace', imageReview({ namespace: 3 }), 'spec.namespace', /must be a string, got number/],
  ])('rejects %s', (_label, body, field, message) => {
    const error = decodeError(body);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('never throws anything but ReviewDecodeError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            apiVersion: fc.constant('imagepolicy.k8s.io/v1alpha1'),
            kind: fc.constant('ImageReview'),
            spec: fc.oneof(
              fc.jsonValue(),
              fc.record(
                {
                  containers: fc.oneof(fc.array(fc.record({ image: fc.jsonValue() })), fc.jsonValue()),
                  annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
                  namespace: fc.jsonValue(),
                },
                { requiredKeys: [] },
              ),
            ),
          }),
        ),
        (body) => {
          try {
            const spec = decodeImageReview(body);
            for (const c of spec.containers) expect(typeof c.image).toBe('string');
            expect(typeof spec.namespace).toBe('string');
          } catch (error) {
            expect(error).toBeInstanceOf(ReviewDecodeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('encodeImageReview', () => {
  it('writes an allow', () => {
    expect(JSON.stringify(encodeImageReview({ allowed: true }))).toBe(
      '{"apiVersion":"imagepolicy.k8s.io/v1alpha1","kind":"ImageReview","status":{"allowed":true}}',
    );
  });

  it('writes a denial with reason and sorted audit annotations', () => {
    const body = encodeImageReview({
      auditAnnotations: { verdict: 'fail', decision: 'deny' },
      reason: 'image docker.io/x:1 failed policy',
      allowed: false,
    });
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        apiVersion: 'imagepolicy.k8s.io/v1alpha1',
        kind: 'ImageReview',
        status: {
          allowed: false,
          reason: 'image docker.io/x:1 failed policy',
          auditAnnotations: { decision: 'deny', verdict: 'fail' },
        },
      }),
    );
  });

  it('omits an empty reason and empty annotations', () => {
    expect(encodeImageReview({ allowed: false, reason: '', auditAnnotations: {} }).status).toEqual({ allowed: false });
  });
});
