import { apiVersionOf } from './anchore-dialect';
import { errorMessageOf, parseImageRecords } from './anchore-wire';

describe('parseImageRecords', () => {
  it('reads v1 arrays (camelCase) and v2 objects and {items} (snake_case)', () => {
    const v1 = [
      {
        imageDigest: 'sha256:p',
        parentDigest: 'sha256:l',
        analysis_status: 'analysis_queued',
        image_detail: [{ fulltag: 'docker.io/nginx:1' }],
      },
    ];
    expect(parseImageRecords(v1, 'v1', 'x')).toEqual([
      {
        imageDigest: 'sha256:p',
        parentDigest: 'sha256:l',
        analysisStatus: 'analysis_queued',
        fullTags: ['docker.io/nginx:1'],
      },
    ]);
    const v2 = {
      image_digest: 'sha256:p',
      analysis_status: 'analyzed',
      image_detail: [{ full_tag: 'docker.io/nginx:1' }],
    };
    expect(parseImageRecords(v2, 'v2', 'x')).toEqual([
      { imageDigest: 'sha256:p', analysisStatus: 'analyzed', fullTags: ['docker.io/nginx:1'] },
    ]);
    expect(parseImageRecords({ items: [v2] }, 'v2', 'x')).toHaveLength(1);
    expect(parseImageRecords({ items: [] }, 'v2', 'x')).toEqual([]);
  });

  it('refuses bodies that are no image records, permanently', () => {
    expect(() => parseImageRecords({ imageDigest: 'x' }, 'v1', 'get image')).toThrow(
      expect.objectContaining({
        transient: false,
        message: 'Anchore get image: unexpected response body (expected an array of images)',
      }),
    );
    expect(() => parseImageRecords([{ image_digest: 'x', analysis_status: 'analyzed' }], 'v1', 'get image')).toThrow(
      'lacks imageDigest',
    );
  });
});

describe('apiVersionOf', () => {
  it('reads api.version "2" as v2, an empty api as v1, and refuses others', () => {
    expect(apiVersionOf({ service: { version: '5.21.0' }, api: { version: '2' } })).toBe('v2');
    expect(apiVersionOf({ service: { version: '1.1.0' }, api: {}, db: { schema_version: '0.0.16' } })).toBe('v1');
    expect(() => apiVersionOf({ api: { version: '3' } })).toThrow('API version 3 is not supported');
    expect(() => apiVersionOf('v1')).toThrow('expected a ServiceVersion object');
  });
});

describe('errorMessageOf', () => {
  it('reads the envelope, connexion problems and text', () => {
    expect(errorMessageOf({ message: 'image data not found in DB', httpcode: 404, detail: { error_codes: [] } })).toBe(
      'image data not found in DB',
    );
    expect(
      errorMessageOf({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: "'tag' is a required property",
      }),
    ).toBe("'tag' is a required property");
    expect(errorMessageOf('Unauthorized')).toBe('Unauthorized');
    expect(errorMessageOf(undefined)).toBeUndefined();
  });
});
