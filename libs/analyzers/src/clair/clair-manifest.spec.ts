import type { ResolvedImage } from '@scangate/analysis';
import { parseImageRef } from '@scangate/image-ref';
import { clairManifestOf } from './clair-manifest';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const layer = (c: string, expires?: number) => ({
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: D(c),
  size: 1,
  url: `http://127.0.0.1:5000/v2/app/blobs/${D(c)}`,
  headers: { Authorization: 'Basic dTpw' },
  ...(expires !== undefined ? { headersExpireAt: expires } : {}),
});

const image: ResolvedImage = {
  ref: parseImageRef('127.0.0.1:5000/app:1'),
  digest: D('0'),
  platforms: [
    { digest: D('1'), platform: 'linux/arm64', layers: [layer('a')] },
    { digest: D('2'), platform: 'linux/amd64', layers: [layer('b', 5_000), layer('c', 4_000)] },
  ],
};

describe('clairManifestOf', () => {
  it('takes the configured platform manifest, its layers in order, headers as arrays', () => {
    const choice = clairManifestOf(image, 'linux/amd64');
    expect(choice).toEqual({
      kind: 'manifest',
      platform: image.platforms?.[1],
      headersExpireAt: 4_000,
      manifest: {
        hash: D('2'),
        layers: [
          {
            hash: D('b'),
            uri: `http://127.0.0.1:5000/v2/app/blobs/${D('b')}`,
            headers: { Authorization: ['Basic dTpw'] },
          },
          {
            hash: D('c'),
            uri: `http://127.0.0.1:5000/v2/app/blobs/${D('c')}`,
            headers: { Authorization: ['Basic dTpw'] },
          },
        ],
      },
    });
  });

  it('refuses an image without the platform, or without layers', () => {
    expect(clairManifestOf(image, 'linux/s390x')).toMatchObject({
      kind: 'unusable',
      reason: expect.stringContaining('has: linux/arm64, linux/amd64'),
    });
    expect(
      clairManifestOf(
        { ...image, platforms: [{ digest: D('3'), platform: 'linux/amd64', layers: [] }] },
        'linux/amd64',
      ),
    ).toMatchObject({ kind: 'unusable' });
    expect(clairManifestOf({ ...image, platforms: [] }, 'linux/amd64')).toMatchObject({ kind: 'unusable' });
  });
});
