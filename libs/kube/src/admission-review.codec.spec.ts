import fc from 'fast-check';
import { decodeAdmissionReview, encodeAdmissionReview, MAX_UID_LENGTH } from './admission-review.codec';
import { ReviewDecodeError } from './kube.types';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';

function review(request: Record<string, unknown>, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      operation: 'CREATE',
      object: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a', image: 'nginx' }] } },
      ...request,
    },
    ...envelope,
  };
}

function decodeError(body: unknown): ReviewDecodeError {
  try {
    decodeAdmissionReview(body);
  } catch (error) {
    if (error instanceof ReviewDecodeError) return error;
    throw error;
  }
  throw new Error('expected a ReviewDecodeError');
}

describe('decodeAdmissionReview: valid reviews', () => {
  it('decodes what the API server sends for a Pod CREATE (v1)', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } };
    const decoded = decodeAdmissionReview(
      review({
        name: 'web',
        namespace: 'shop',
        object,
        oldObject: null,
        dryRun: false,
        userInfo: { username: 'alice', uid: 'u-1', groups: ['system:authenticated'], extra: { scopes: ['x'] } },
        requestKind: { group: '', version: 'v1', kind: 'Pod' },
        options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      }),
    );
    expect(decoded).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      request: {
        uid: UID,
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        name: 'web',
        namespace: 'shop',
        operation: 'CREATE',
        userInfo: { username: 'alice', uid: 'u-1', groups: ['system:authenticated'] },
        object,
        dryRun: false,
      },
    });
    expect(decoded.request.object).toBe(object);
    expect('oldObject' in decoded.request).toBe(false);
  });

  it('accepts v1beta1, whose JSON fields are the same', () => {
    const decoded = decodeAdmissionReview(review({}, { apiVersion: 'admission.k8s.io/v1beta1' }));
    expect(decoded.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(decoded.request.uid).toBe(UID);
  });

  it('defaults dryRun to false and group to the core group', () => {
    const decoded = decodeAdmissionReview(
      review({ kind: { version: 'v1', kind: 'Pod' }, resource: { version: 'v1', resource: 'pods' } }),
    );
    expect(decoded.request.dryRun).toBe(false);
    expect(decoded.request.kind).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(decoded.request.resource).toEqual({ group: '', version: 'v1', resource: 'pods' });
  });

  it('keeps dryRun: true', () => {
    expect(decodeAdmissionReview(review({ dryRun: true })).request.dryRun).toBe(true);
  });

  it('decodes an UPDATE on pods/ephemeralcontainers with both objects', () => {
    const decoded = decodeAdmissionReview(
      review({ operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: { spec: {} } }),
    );
    expect(decoded.request.operation).toBe('UPDATE');
    expect(decoded.request.subResource).toBe('ephemeralcontainers');
    expect(decoded.request.oldObject).toEqual({ spec: {} });
  });

  it.each(['DELETE', 'CONNECT'])('does not need an object for %s (null or absent)', (operation) => {
    expect(decodeAdmissionReview(review({ operation, object: null })).request.object).toBeUndefined();
    const { request } = review({ operation });
    delete (request as Record<string, unknown>)['object'];
    expect(decodeAdmissionReview({ ...review({}), request }).request.operation).toBe(operation);
  });

  it('reads DELETE oldObject', () => {
    const decoded = decodeAdmissionReview(review({ operation: 'DELETE', object: null, oldObject: { spec: {} } }));
    expect(decoded.request.oldObject).toEqual({ spec: {} });
  });

  it('treats empty name/namespace/subResource as absent (Go omitempty)', () => {
    const { request } = decodeAdmissionReview(review({ name: '', namespace: '', subResource: '' }));
    expect(request).not.toHaveProperty('name');
    expect(request).not.toHaveProperty('namespace');
    expect(request).not.toHaveProperty('subResource');
  });

  it('ignores a response in the request and unknown fields', () => {
    const decoded = decodeAdmissionReview(
      review({ surprise: 1 }, { response: { uid: 'x', allowed: true }, extra: [1, 2] }),
    );
    expect(decoded).not.toHaveProperty('response');
    expect(decoded.request).not.toHaveProperty('surprise');
  });

  it('accepts a uid of exactly the maximum length', () => {
    const uid = 'u'.repeat(MAX_UID_LENGTH);
    expect(decodeAdmissionReview(review({ uid })).request.uid).toBe(uid);
  });

  it('is not fooled by __proto__ keys', () => {
    const body: unknown = JSON.parse(
      JSON.stringify(review({})).replace('"request":', '"__proto__": {"dryRun": true}, "request":'),
    );
    const decoded = decodeAdmissionReview(body);
    expect(decoded.request.dryRun).toBe(false);
    const inherited: unknown = JSON.parse(
      '{"__proto__": {"apiVersion": "admission.k8s.io/v1"}, "kind": "AdmissionReview"}',
    );
    expect(decodeError(inherited).field).toBe('apiVersion');
  });
});

describe('decodeAdmissionReview: malformed envelopes', () => {
  const without = (key: string): Record<string, unknown> => {
    const body = review({});
    delete (body['request'] as Record<string, unknown>)[key];
    return body;
  };

  it.each<[string, unknown, string, RegExp]>([
    ['a non-object body', 'hello', '', /body must be a JSON object, got string/],
    ['a null body', null, '', /got null/],
    ['an array body', [review({})], '', /got array/],
    [
      'a missing apiVersion',
      { kind: 'AdmissionReview', request: {} },
      'apiVersion',
      /apiVersion undefined is not supported/,
    ],
    ['a wrong apiVersion', review({}, { apiVersion: 'admission.k8s.io/v2' }), 'apiVersion', /"admission\.k8s\.io\/v2"/],
    ['a numeric apiVersion', review({}, { apiVersion: 1 }), 'apiVersion', /apiVersion number/],
    ['an ImageReview', review({}, { apiVersion: 'imagepolicy.k8s.io/v1alpha1' }), 'apiVersion', /not supported/],
    ['a wrong kind', review({}, { kind: 'ImageReview' }), 'kind', /kind "ImageReview" is not supported/],
    [
      'a missing request',
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' },
      'request',
      /request is missing/,
    ],
    ['a string request', review({}, { request: 'x' }), 'request', /request must be an object, got string/],
    ['a missing uid', without('uid'), 'request.uid', /request\.uid is required/],
    ['an empty uid', review({ uid: '' }), 'request.uid', /request\.uid is required/],
    ['a numeric uid', review({ uid: 7 }), 'request.uid', /must be a string, got number/],
    ['a null uid', review({ uid: null }), 'request.uid', /must be a string, got null/],
    ['a too long uid', review({ uid: 'u'.repeat(MAX_UID_LENGTH + 1) }), 'request.uid', /longer than 256/],
    ['a missing kind', without('kind'), 'request.kind', /request\.kind is required/],
    ['a string kind', review({ kind: 'Pod' }), 'request.kind', /request\.kind must be an object/],
    ['a kind without kind', review({ kind: { group: '', version: 'v1' } }), 'request.kind.kind', /is required/],
    [
      'a kind with empty kind',
      review({ kind: { group: '', version: 'v1', kind: '' } }),
      'request.kind.kind',
      /must not be empty/,
    ],
    ['a kind without version', review({ kind: { group: '', kind: 'Pod' } }), 'request.kind.version', /is required/],
    [
      'a kind with numeric group',
      review({ kind: { group: 1, version: 'v1', kind: 'Pod' } }),
      'request.kind.group',
      /must be a string/,
    ],
    ['a missing resource', without('resource'), 'request.resource', /is required/],
    [
      'a resource without resource',
      review({ resource: { group: '', version: 'v1' } }),
      'request.resource.resource',
      /is required/,
    ],
    [
      'a resource with array version',
      review({ resource: { version: ['v1'], resource: 'pods' } }),
      'request.resource.version',
      /got array/,
    ],
    ['a missing operation', without('operation'), 'request.operation', /request\.operation undefined is not one of/],
    ['a lowercase operation', review({ operation: 'create' }), 'request.operation', /"create" is not one of/],
    ['a PATCH operation', review({ operation: 'PATCH' }), 'request.operation', /"PATCH"/],
    ['a string dryRun', review({ dryRun: 'true' }), 'request.dryRun', /must be a boolean, got string/],
    ['a null dryRun', review({ dryRun: null }), 'request.dryRun', /must be a boolean, got null/],
    ['a numeric namespace', review({ namespace: 5 }), 'request.namespace', /must be a string, got number/],
    ['an object name', review({ name: {} }), 'request.name', /must be a string, got object/],
    ['a boolean subResource', review({ subResource: true }), 'request.subResource', /must be a string, got boolean/],
    ['a CREATE without object', review({ object: null }), 'request.object', /required for CREATE/],
    [
      'an UPDATE without object',
      review({ operation: 'UPDATE', object: undefined }),
      'request.object',
      /required for UPDATE/,
    ],
    ['a string object', review({ object: '{"spec":{}}' }), 'request.object', /must be an object, got string/],
    ['an array object', review({ object: [] }), 'request.object', /got array/],
    ['a string oldObject', review({ operation: 'UPDATE', oldObject: 'x' }), 'request.oldObject', /must be an object/],
    ['a string userInfo', review({ userInfo: 'alice' }), 'request.userInfo', /must be an object/],
    ['a numeric username', review({ userInfo: { username: 1 } }), 'request.userInfo.username', /must be a string/],
    ['a string groups', review({ userInfo: { groups: 'a' } }), 'request.userInfo.groups', /must be a list/],
    ['a numeric group', review({ userInfo: { groups: ['a', 2] } }), 'request.userInfo.groups[1]', /must be a string/],
  ])('rejects %s', (_label, body, field, message) => {
    const error = decodeError(body);
    expect(error).toBeInstanceOf(ReviewDecodeError);
    expect(error.name).toBe('ReviewDecodeError');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('echoes at most 64 characters of an attacker value', () => {
    const long = 'x'.repeat(10_000);
    const error = decodeError(review({}, { apiVersion: long }));
    expect(error.message).toContain(`"${'x'.repeat(64)}"…`);
    expect(error.message.length).toBeLessThan(200);
    expect(decodeError(review({ operation: long })).message.length).toBeLessThan(200);
  });

  it('escapes control characters it echoes', () => {
    const error = decodeError(review({}, { kind: 'Admission\nReview\u0000' }));
    expect(error.message).toContain('"Admission\\nReview\\u0000"');
    expect(error.message).not.toContain('\n');
  });

  it('never throws anything but ReviewDecodeError, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            apiVersion: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'),
            kind: fc.constant('AdmissionReview'),
            request: fc.oneof(
              fc.jsonValue(),
              fc.record(
                {
                  uid: fc.oneof(fc.uuid(), fc.jsonValue()),
                  kind: fc.oneof(
                    fc.record({ group: fc.string(), version: fc.string(), kind: fc.string() }),
                    fc.jsonValue(),
                  ),
                  resource: fc.oneof(
                    fc.record({ group: fc.string(), version: fc.string(), resource: fc.string() }),
                    fc.jsonValue(),
                  ),
                  operation: fc.oneof(fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'), fc.jsonValue()),
                  object: fc.jsonValue(),
                  dryRun: fc.jsonValue(),
                  userInfo: fc.jsonValue(),
                },
                { requiredKeys: [] },
              ),
            ),
          }),
        ),
        (body) => {
          try {
            const decoded = decodeAdmissionReview(body);
            expect(typeof decoded.request.uid).toBe('string');
            expect(typeof decoded.request.dryRun).toBe('boolean');
          } catch (error) {
            expect(error).toBeInstanceOf(ReviewDecodeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('encodeAdmissionReview', () => {
  it('writes an allow with only uid and allowed', () => {
    const body = encodeAdmissionReview('admission.k8s.io/v1', { uid: UID, allowed: true });
    expect(JSON.stringify(body)).toBe(
      `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"${UID}","allowed":true}}`,
    );
  });

  it('answers in the version it is given', () => {
    expect(encodeAdmissionReview('admission.k8s.io/v1beta1', { uid: UID, allowed: true }).apiVersion).toBe(
      'admission.k8s.io/v1beta1',
    );
  });

  it('writes a denial with status, warnings and sorted audit annotations in a fixed order', () => {
    const body = encodeAdmissionReview('admission.k8s.io/v1', {
      auditAnnotations: { verdict: 'fail', decision: 'denied' },
      warnings: ['image docker.io/y:2 has 3 high CVEs'],
      status: { message: 'image docker.io/x:1 failed policy', reason: 'Forbidden', code: 403 },
      allowed: false,
      uid: UID,
    });
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: {
          uid: UID,
          allowed: false,
          status: { code: 403, reason: 'Forbidden', message: 'image docker.io/x:1 failed policy' },
          warnings: ['image docker.io/y:2 has 3 high CVEs'],
          auditAnnotations: { decision: 'denied', verdict: 'fail' },
        },
      }),
    );
  });

  it('drops status when allowed (the API server reads it only on denial)', () => {
    const body = encodeAdmissionReview('admission.k8s.io/v1', {
      uid: UID,
      allowed: true,
      status: { code: 200, reason: '', message: 'fine' },
      warnings: ['careful'],
    });
    expect(body.response).toEqual({ uid: UID, allowed: true, warnings: ['careful'] });
  });

  it('omits empty warnings, empty annotations and empty status strings', () => {
    const body = encodeAdmissionReview('admission.k8s.io/v1', {
      uid: UID,
      allowed: false,
      status: { code: 403, reason: '', message: '' },
      warnings: [],
      auditAnnotations: {},
    });
    expect(body.response).toEqual({ uid: UID, allowed: false, status: { code: 403 } });
  });

  it('never writes patch or patchType', () => {
    const response = { uid: UID, allowed: true, patch: 'W10=', patchType: 'JSONPatch' };
    expect(Object.keys(encodeAdmissionReview('admission.k8s.io/v1', response).response)).toEqual(['uid', 'allowed']);
  });

  it('copies the caller’s arrays and maps', () => {
    const warnings = ['w'];
    const auditAnnotations: Record<string, string> = { a: '1' };
    const body = encodeAdmissionReview('admission.k8s.io/v1', { uid: UID, allowed: true, warnings, auditAnnotations });
    warnings.push('later');
    auditAnnotations['b'] = '2';
    expect(body.response.warnings).toEqual(['w']);
    expect(body.response.auditAnnotations).toEqual({ a: '1' });
  });

  it('keeps a __proto__ annotation key an ordinary key', () => {
    const auditAnnotations: Record<string, string> = JSON.parse('{"__proto__": "x", "decision": "allowed"}') as Record<
      string,
      string
    >;
    const body = encodeAdmissionReview('admission.k8s.io/v1', { uid: UID, allowed: true, auditAnnotations });
    expect(JSON.stringify(body.response.auditAnnotations)).toBe('{"__proto__":"x","decision":"allowed"}');
    expect(Object.getPrototypeOf(body.response.auditAnnotations)).toBe(Object.prototype);
  });

  it('round-trips the uid of a decoded review', () => {
    const decoded = decodeAdmissionReview(review({}, { apiVersion: 'admission.k8s.io/v1beta1' }));
    const body = encodeAdmissionReview(decoded.apiVersion, { uid: decoded.request.uid, allowed: true });
    expect(body).toEqual({
      apiVersion: 'admission.k8s.io/v1beta1',
      kind: 'AdmissionReview',
      response: { uid: UID, allowed: true },
    });
  });
});
