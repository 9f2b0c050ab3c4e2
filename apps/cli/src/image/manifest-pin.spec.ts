import { createHash } from 'node:crypto';
import type { ImageRef } from '@scangate/image-ref';
import { parseAllDocuments } from 'yaml';
import { type DigestResolver, PinError, pinManifests } from './manifest-pin';
import { pathSegments } from './json-path';

/** A digest per canonical reference, as a registry would answer: stable, and distinct per tag. */
function digestOf(canonical: string): string {
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** A fake registry: answers tags with digestOf(canonical), digests with themselves unless listed as gone. */
function fakeResolver(gone: readonly string[] = []): DigestResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (ref: ImageRef): Promise<string> => {
    calls.push(ref.input);
    if (ref.digest !== undefined) {
      if (gone.includes(ref.digest)) throw new Error(`manifest unknown: ${ref.name}@${ref.digest}`);
      return ref.digest;
    }
    if (ref.path.endsWith('missing')) throw new Error(`manifest unknown: ${ref.canonical}`);
    return digestOf(ref.canonical);
  };
  return Object.assign(resolve, { calls });
}

const PINNED = `sha256:${'a'.repeat(64)}`;

const MANIFEST = `# Rendered by hand; keep this comment.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  annotations:
    note: "image: nginx:1.25 is only text here"
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: 'busybox:1.36'   # single-quoted
      containers:
        - name: app
          image: "registry.example.com:5000/team/app:v2"
          env:
            - {name: IMAGE, value: nginx:1.25}
        - name: sidecar
          image: nginx     # no tag: :latest is written out
        - name: pinned
          image: redis:7@${PINNED}
      volumes:
        - name: models
          image:
            reference: registry.example.com:5000/team/models:v1
            pullPolicy: IfNotPresent
        - name: scratch
          emptyDir: {}
---
# A CronJob in flow style
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: job, image: "ghcr.io/acme/job:2024.1", args: ["--all"]}, {name: two, image: nginx:1.25}]
          restartPolicy: OnFailure
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: main
    image: >-
      quay.io/acme/main:3
  ephemeralContainers:
  - name: shell
    image: busybox:1.36
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-workload}
data:
  image: nginx:1.25
---
# not a Kubernetes object at all
containers:
  - image: nginx:1.25
---
`;

const EXPECTED = `# Rendered by hand; keep this comment.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  annotations:
    note: "image: nginx:1.25 is only text here"
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: 'busybox:1.36@${digestOf('docker.io/library/busybox:1.36')}'   # single-quoted
      containers:
        - name: app
          image: "registry.example.com:5000/team/app:v2@${digestOf('registry.example.com:5000/team/app:v2')}"
          env:
            - {name: IMAGE, value: nginx:1.25}
        - name: sidecar
          image: nginx:latest@${digestOf('docker.io/library/nginx:latest')}     # no tag: :latest is written out
        - name: pinned
          image: redis:7@${PINNED}
      volumes:
        - name: models
          image:
            reference: registry.example.com:5000/team/models:v1@${digestOf('registry.example.com:5000/team/models:v1')}
            pullPolicy: IfNotPresent
        - name: scratch
          emptyDir: {}
---
# A CronJob in flow style
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: job, image: "ghcr.io/acme/job:2024.1@${digestOf('ghcr.io/acme/job:2024.1')}", args: ["--all"]}, {name: two, image: nginx:1.25@${digestOf('docker.io/library/nginx:1.25')}}]
          restartPolicy: OnFailure
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: main
    image: >-
      quay.io/acme/main:3@${digestOf('quay.io/acme/main:3')}
  ephemeralContainers:
  - name: shell
    image: busybox:1.36@${digestOf('docker.io/library/busybox:1.36')}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-workload}
data:
  image: nginx:1.25
---
# not a Kubernetes object at all
containers:
  - image: nginx:1.25
---
`;

describe('pinManifests', () => {
  it('pins every image of every workload kind and location, changing no other byte', async () => {
    const resolver = fakeResolver();
    const result = await pinManifests(MANIFEST, resolver);
    expect(result.text).toBe(EXPECTED);
    expect(result.images.map((image) => [image.path, image.action])).toEqual([
      ['spec.template.spec.containers[0].image', 'pinned'],
      ['spec.template.spec.containers[1].image', 'pinned'],
      ['spec.template.spec.containers[2].image', 'verified'],
      ['spec.template.spec.initContainers[0].image', 'pinned'],
      ['spec.template.spec.volumes[0].image.reference', 'pinned'],
      ['spec.jobTemplate.spec.template.spec.containers[0].image', 'pinned'],
      ['spec.jobTemplate.spec.template.spec.containers[1].image', 'pinned'],
      ['spec.containers[0].image', 'pinned'],
      ['spec.ephemeralContainers[0].image', 'pinned'],
    ]);
    expect(result.images[0]?.document).toBe('document 1 (Deployment web), line 16');
    // Each distinct reference is looked up once; the pinned one is re-verified.
    expect([...resolver.calls].sort()).toEqual(
      [
        'busybox:1.36',
        'ghcr.io/acme/job:2024.1',
        'nginx',
        'nginx:1.25',
        'quay.io/acme/main:3',
        `redis:7@${PINNED}`,
        'registry.example.com:5000/team/app:v2',
        'registry.example.com:5000/team/models:v1',
      ].sort(),
    );
    // The result still parses to the same objects, but for the images.
    const before = parseAllDocuments(MANIFEST).map((document) => document.toJS() as unknown);
    const after = parseAllDocuments(result.text).map((document) => document.toJS() as unknown);
    expect(JSON.stringify(after).replace(/(:latest)?@sha256:[0-9a-f]{64}/g, '')).toBe(
      JSON.stringify(before).replace(/@sha256:[0-9a-f]{64}/g, ''),
    );
  });

  it('keeps CRLF line endings', async () => {
    const crlf = MANIFEST.replace(/\n/g, '\r\n');
    const result = await pinManifests(crlf, fakeResolver());
    expect(result.text).toBe(EXPECTED.replace(/\n/g, '\r\n'));
  });

  it('is idempotent: a pinned manifest is only re-verified', async () => {
    const resolver = fakeResolver();
    const result = await pinManifests(EXPECTED, resolver);
    expect(result.text).toBe(EXPECTED);
    expect(result.images.every((image) => image.action === 'verified')).toBe(true);
    expect(resolver.calls.every((input) => input.includes('@sha256:'))).toBe(true);
  });

  it('fails when the registry no longer serves a pinned digest, rewriting nothing', async () => {
    await expect(pinManifests(MANIFEST, fakeResolver([PINNED]))).rejects.toThrow(
      `document 1 (Deployment web), line 22: spec.template.spec.containers[2].image "redis:7@${PINNED}": manifest unknown: docker.io/library/redis@${PINNED}`,
    );
  });

  it('fails when the registry answers another digest for a pinned reference', async () => {
    const other = `sha256:${'b'.repeat(64)}`;
    const text = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx@${PINNED}\n`;
    await expect(pinManifests(text, async () => other)).rejects.toThrow(
      `the registry answers ${other} for a reference pinned to ${PINNED}`,
    );
  });

  it('names the document, path and image of a malformed reference and of a resolver failure, all at once', async () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: bad}',
      'spec:',
      '  containers:',
      '  - image: "Nginx:1.25"',
      '  - image: nginx:bad!tag',
      '  - image: acme/missing:1',
      '',
    ].join('\n');
    const error = await pinManifests(text, fakeResolver()).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PinError);
    const failures = (error as PinError).failures;
    expect(failures.map((failure) => [failure.document, failure.path, failure.image])).toEqual([
      ['document 1 (Pod bad), line 6', 'spec.containers[0].image', 'Nginx:1.25'],
      ['document 1 (Pod bad), line 7', 'spec.containers[1].image', 'nginx:bad!tag'],
      ['document 1 (Pod bad), line 8', 'spec.containers[2].image', 'acme/missing:1'],
    ]);
    expect(failures[0]?.message).toMatch(/^invalid image reference: /);
    expect(failures[2]?.message).toBe('manifest unknown: docker.io/acme/missing:1');
    expect((error as Error).message).toContain(
      'document 1 (Pod bad), line 6: spec.containers[0].image "Nginx:1.25": invalid image reference:',
    );
  });

  it('fails on an image field of the wrong type, and skips missing ones', async () => {
    const wrong =
      'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - image: 42\n';
    await expect(pinManifests(wrong, fakeResolver())).rejects.toThrow(
      'document 1 (Deployment): spec.template.spec.containers[0].image: must be a string, got number',
    );
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n';
    await expect(pinManifests(patch, fakeResolver())).resolves.toEqual({ text: patch, images: [] });
  });

  it('refuses invalid YAML, naming the document', async () => {
    await expect(pinManifests('a: 1\n---\nb: [1, 2\n', fakeResolver())).rejects.toThrow(
      /^cannot pin the manifests \(1 problem\):\n {2}document 2: invalid YAML: /,
    );
  });

  it('leaves non-Kubernetes documents, unknown kinds and empty input untouched', async () => {
    const text =
      '# only comments\n---\nfoo: {image: nginx}\n---\napiVersion: example.com/v1\nkind: Widget\nspec:\n  containers: [{image: nginx}]\n---\n- 1\n';
    const resolver = fakeResolver();
    await expect(pinManifests(text, resolver)).resolves.toEqual({ text, images: [] });
    await expect(pinManifests('', resolver)).resolves.toEqual({ text: '', images: [] });
    expect(resolver.calls).toEqual([]);
  });

  it('pins the items of a v1 List, and an anchored reference once for all its aliases', async () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Pod',
      '  spec:',
      '    containers:',
      '    - {name: a, image: &img nginx:1.25}',
      '    - {name: b, image: *img}',
      '',
    ].join('\n');
    const result = await pinManifests(text, fakeResolver());
    expect(result.text).toBe(
      text.replace('&img nginx:1.25', `&img nginx:1.25@${digestOf('docker.io/library/nginx:1.25')}`),
    );
    expect(result.images.map((image) => image.path)).toEqual([
      'items[0].spec.containers[0].image',
      'items[0].spec.containers[1].image',
    ]);
  });

  it('writes a double-quoted scalar when the source spells the reference with escapes', async () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: "nginx\\x3a1.25" # escaped\n';
    const result = await pinManifests(text, fakeResolver());
    expect(result.text).toBe(
      text.replace('"nginx\\x3a1.25"', `"nginx:1.25@${digestOf('docker.io/library/nginx:1.25')}"`),
    );
  });

  it('rejects a resolver answer that is not a digest', async () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx\n';
    await expect(pinManifests(text, async () => 'sha256:nothex')).rejects.toThrow(
      'the registry client returned an invalid digest "sha256:nothex"',
    );
  });
});

describe('pathSegments', () => {
  it('splits extractor paths into getIn segments', () => {
    expect(pathSegments('spec.template.spec.initContainers[1].image')).toEqual([
      'spec',
      'template',
      'spec',
      'initContainers',
      1,
      'image',
    ]);
    expect(pathSegments('ephemeralContainers[0].image')).toEqual(['ephemeralContainers', 0, 'image']);
    expect(() => pathSegments('spec..image')).toThrow('unexpected field path');
    expect(() => pathSegments('spec[x]')).toThrow('unexpected field path');
  });
});
