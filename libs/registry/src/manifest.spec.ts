import { RegistryError } from '@scangate/analysis';
import { MEDIA_TYPES, parseManifest, parsePlatform, selectPlatforms } from './manifest';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (c: string, platform: string) => {
  const [os = '', architecture = '', variant] = platform.split('/');
  return {
    mediaType: MEDIA_TYPES.ociManifest,
    digest: digest(c),
    size: 1,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
  };
};

describe('manifests', () => {
  it('selects the configured platforms in order, the variant only when asked for', () => {
    const entries = [
      entry('a', 'linux/arm/v6'),
      entry('b', 'linux/arm/v7'),
      entry('c', 'linux/amd64'),
      entry('d', 'windows/amd64'),
    ];
    expect(selectPlatforms(entries, [parsePlatform('linux/amd64')]).map((e) => e.digest)).toEqual([digest('c')]);
    expect(
      selectPlatforms(entries, [parsePlatform('linux/arm/v7'), parsePlatform('linux/amd64')]).map((e) => e.digest),
    ).toEqual([digest('b'), digest('c')]);
    expect(selectPlatforms(entries, [parsePlatform('linux/arm')]).map((e) => e.digest)).toEqual([digest('a')]);
    expect(selectPlatforms(entries, [parsePlatform('linux/s390x')])).toEqual([]);
    expect(() => parsePlatform('linux')).toThrow('os/architecture');
  });

  it('takes the media type from Content-Type or the document, and refuses disagreement, schema 1 and bad descriptors', () => {
    const body = (value: object) => Buffer.from(JSON.stringify(value));
    const index = { schemaVersion: 2, manifests: [entry('a', 'linux/amd64')] };
    expect(parseManifest(body(index), `${MEDIA_TYPES.ociIndex}; charset=utf-8`, 'x').kind).toBe('index');
    expect(
      parseManifest(body({ ...index, mediaType: MEDIA_TYPES.dockerList }), 'application/json', 'x').mediaType,
    ).toBe(MEDIA_TYPES.dockerList);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return (error as RegistryError).code;
      }
      return undefined;
    };
    expect(
      code(() => parseManifest(body({ ...index, mediaType: MEDIA_TYPES.dockerList }), MEDIA_TYPES.ociIndex, 'x')),
    ).toBe('MANIFEST_INVALID');
    expect(
      code(() =>
        parseManifest(body({ schemaVersion: 1 }), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'x'),
      ),
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code(() => parseManifest(Buffer.from('nope'), MEDIA_TYPES.ociManifest, 'x'))).toBe('MANIFEST_INVALID');
    expect(
      code(() =>
        parseManifest(
          body({ config: { mediaType: 'c', digest: 'md5:x', size: 1 }, layers: [] }),
          MEDIA_TYPES.ociManifest,
          'x',
        ),
      ),
    ).toBe('MANIFEST_INVALID');
  });
});
