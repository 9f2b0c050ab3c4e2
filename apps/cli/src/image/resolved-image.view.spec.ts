import type { ResolvedImage } from '@scangate/analysis';
import { parseImageRef } from '@scangate/image-ref';
import { digestResolverOf, viewOf } from './resolved-image.view';

const INDEX = `sha256:${'1'.repeat(64)}`;
const MANIFEST = `sha256:${'2'.repeat(64)}`;
const CONFIG = `sha256:${'3'.repeat(64)}`;
const LAYER = `sha256:${'4'.repeat(64)}`;

const RESOLVED: ResolvedImage = {
  ref: parseImageRef('localhost:5000/app:1'),
  digest: INDEX,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  platforms: [
    {
      digest: MANIFEST,
      platform: 'linux/amd64',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: CONFIG,
        size: 10,
        url: `http://localhost:5000/v2/app/blobs/${CONFIG}`,
        headers: { Authorization: 'Bearer secret-token' },
        headersExpireAt: 1,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: LAYER,
          size: 20,
          url: `http://localhost:5000/v2/app/blobs/${LAYER}`,
          headers: { Authorization: 'Basic c2VjcmV0' },
        },
      ],
    },
  ],
};

describe('viewOf', () => {
  it('prints digests, media types, platforms, config and layers, never the credentials a scanner would send', () => {
    const view = viewOf(RESOLVED);
    expect(view).toEqual({
      reference: 'localhost:5000/app:1',
      digest: INDEX,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: [
        {
          digest: MANIFEST,
          platform: 'linux/amd64',
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: CONFIG,
            size: 10,
            url: `http://localhost:5000/v2/app/blobs/${CONFIG}`,
          },
          layers: [
            {
              mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
              digest: LAYER,
              size: 20,
              url: `http://localhost:5000/v2/app/blobs/${LAYER}`,
            },
          ],
        },
      ],
    });
    expect(JSON.stringify(view)).not.toMatch(/secret|c2VjcmV0|Authorization/);
  });
});

describe('digestResolverOf', () => {
  it('answers the manifest digest the client resolved', async () => {
    const resolve = digestResolverOf({ resolve: async () => RESOLVED });
    await expect(resolve(parseImageRef('localhost:5000/app:1'))).resolves.toBe(INDEX);
  });
});
