import fc from 'fast-check';
import { changedImages, extractImages, extractImagesFromImageReview } from './image-extractor';
import type { GroupVersionKind, ImageLocation } from './kube.types';

const gvk = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });
const POD = gvk('', 'v1', 'Pod');
const DEPLOYMENT = gvk('apps', 'v1', 'Deployment');

/** A pod spec with one of everything. */
function podSpec(): Record<string, unknown> {
  return {
    containers: [
      { name: 'app', image: 'registry.example.com/app:1.0' },
      { name: 'sidecar', image: 'docker.io/library/envoy@sha256:' + 'a'.repeat(64) },
    ],
    initContainers: [
      { name: 'migrate', image: 'registry.example.com/migrate:1.0' },
      { name: 'wait', image: 'busybox' },
    ],
    ephemeralContainers: [{ name: 'debugger', image: 'nicolaka/netshoot:v0.13' }],
    volumes: [
      { name: 'config', configMap: { name: 'app' } },
      { name: 'scratch', emptyDir: {} },
      { name: 'models', image: { reference: 'registry.example.com/models:2024', pullPolicy: 'IfNotPresent' } },
    ],
  };
}

function pathsOf(images: readonly ImageLocation[]): string[] {
  return images.map((i) => i.path);
}

function expectedAt(prefix: string): ImageLocation[] {
  const p = prefix === '' ? '' : `${prefix}.`;
  return [
    { image: 'registry.example.com/app:1.0', path: `${p}containers[0].image`, location: 'container', name: 'app' },
    {
      image: 'docker.io/library/envoy@sha256:' + 'a'.repeat(64),
      path: `${p}containers[1].image`,
      location: 'container',
      name: 'sidecar',
    },
    {
      image: 'registry.example.com/migrate:1.0',
      path: `${p}initContainers[0].image`,
      location: 'initContainer',
      name: 'migrate',
    },
    { image: 'busybox', path: `${p}initContainers[1].image`, location: 'initContainer', name: 'wait' },
    {
      image: 'nicolaka/netshoot:v0.13',
      path: `${p}ephemeralContainers[0].image`,
      location: 'ephemeralContainer',
      name: 'debugger',
    },
    {
      image: 'registry.example.com/models:2024',
      path: `${p}volumes[2].image.reference`,
      location: 'imageVolume',
      name: 'models',
    },
  ];
}

const template = (): Record<string, unknown> => ({ metadata: { labels: { app: 'x' } }, spec: podSpec() });

describe('extractImages: where each kind keeps its images', () => {
  const cases: { kind: GroupVersionKind; object: unknown; prefix: string }[] = [
    { kind: POD, object: { spec: podSpec() }, prefix: 'spec' },
    { kind: gvk('', 'v1', 'PodTemplate'), object: { template: template() }, prefix: 'template.spec' },
    {
      kind: gvk('', 'v1', 'ReplicationController'),
      object: { spec: { template: template() } },
      prefix: 'spec.template.spec',
    },
    ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].flatMap((kind) =>
      ['v1', 'v1beta1', 'v1beta2'].map((version) => ({
        kind: gvk('apps', version, kind),
        object: { spec: { template: template() } },
        prefix: 'spec.template.spec',
      })),
    ),
    ...['Deployment', 'ReplicaSet', 'DaemonSet'].map((kind) => ({
      kind: gvk('extensions', 'v1beta1', kind),
      object: { spec: { template: template() } },
      prefix: 'spec.template.spec',
    })),
    { kind: gvk('batch', 'v1', 'Job'), object: { spec: { template: template() } }, prefix: 'spec.template.spec' },
    ...['v1', 'v1beta1', 'v2alpha1'].map((version) => ({
      kind: gvk('batch', version, 'CronJob'),
      object: { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template() } } } },
      prefix: 'spec.jobTemplate.spec.template.spec',
    })),
  ];

  it.each(cases.map((c) => [`${c.kind.group || 'core'}/${c.kind.version} ${c.kind.kind}`, c] as const))(
    '%s',
    (_label, { kind, object, prefix }) => {
      const result = extractImages(kind, object);
      expect(result).toEqual({ images: expectedAt(prefix), problems: [], supportedKind: true });
    },
  );

  it('keys on request.kind, not on what the object says it is', () => {
    const object = { apiVersion: 'v1', kind: 'Pod', spec: { template: template() } };
    expect(pathsOf(extractImages(DEPLOYMENT, object).images)).toContain('spec.template.spec.containers[0].image');
    const asPod = extractImages(POD, { apiVersion: 'apps/v1', kind: 'Deployment', spec: podSpec() });
    expect(pathsOf(asPod.images)).toContain('spec.containers[0].image');
  });

  it('matches on group as well as kind', () => {
    expect(extractImages(gvk('example.com', 'v1', 'Deployment'), { spec: { template: template() } })).toEqual({
      images: [],
      problems: [],
      supportedKind: false,
    });
    expect(extractImages(gvk('apps', 'v1', 'Pod'), { spec: podSpec() }).supportedKind).toBe(false);
  });

  it.each([
    gvk('', 'v1', 'ConfigMap'),
    gvk('', 'v1', 'Service'),
    gvk('apps', 'v1', 'ControllerRevision'),
    gvk('autoscaling', 'v1', 'Scale'),
    gvk('policy', 'v1', 'Eviction'),
    gvk('', 'v1', 'Binding'),
  ])('does not inspect $group/$version $kind', (kind) => {
    expect(extractImages(kind, { spec: podSpec() })).toEqual({ images: [], problems: [], supportedKind: false });
  });
});

describe('extractImages: ephemeral containers', () => {
  it('pods/ephemeralcontainers reads only spec.ephemeralContainers', () => {
    const result = extractImages(POD, { spec: podSpec() }, 'ephemeralcontainers');
    expect(result).toEqual({
      images: [
        {
          image: 'nicolaka/netshoot:v0.13',
          path: 'spec.ephemeralContainers[0].image',
          location: 'ephemeralContainer',
          name: 'debugger',
        },
      ],
      problems: [],
      supportedKind: true,
    });
  });

  it('pods/ephemeralcontainers does not need containers (they were admitted at creation)', () => {
    const result = extractImages(
      POD,
      { spec: { ephemeralContainers: [{ name: 'd', image: 'busybox' }] } },
      'ephemeralcontainers',
    );
    expect(result.problems).toEqual([]);
    expect(pathsOf(result.images)).toEqual(['spec.ephemeralContainers[0].image']);
  });

  it('accepts the pre-1.22 EphemeralContainers kind', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'EphemeralContainers',
      metadata: { name: 'web-0' },
      ephemeralContainers: [
        { name: 'debugger', image: 'busybox:1.36' },
        { name: 'shell', image: 'alpine' },
      ],
    };
    const result = extractImages(gvk('', 'v1', 'EphemeralContainers'), object, 'ephemeralcontainers');
    expect(result).toEqual({
      images: [
        {
          image: 'busybox:1.36',
          path: 'ephemeralContainers[0].image',
          location: 'ephemeralContainer',
          name: 'debugger',
        },
        { image: 'alpine', path: 'ephemeralContainers[1].image', location: 'ephemeralContainer', name: 'shell' },
      ],
      problems: [],
      supportedKind: true,
    });
  });

  it.each(['status', 'scale', 'binding', 'resize', 'eviction'])(
    'does not inspect other subresources (%s): they cannot change images',
    (sub) => {
      expect(extractImages(POD, { spec: podSpec() }, sub).supportedKind).toBe(false);
      expect(extractImages(DEPLOYMENT, { spec: { template: template() } }, sub).supportedKind).toBe(false);
    },
  );

  it('treats an empty subResource as the main resource', () => {
    expect(extractImages(POD, { spec: podSpec() }, '').images).toHaveLength(6);
  });

  it('ephemeralcontainers on anything but a Pod is not inspected', () => {
    expect(extractImages(DEPLOYMENT, { spec: { template: template() } }, 'ephemeralcontainers').supportedKind).toBe(
      false,
    );
  });
});

describe('extractImages: attacker-shaped objects become problems, never exceptions', () => {
  const problemsOf = (kind: GroupVersionKind, object: unknown, sub?: string) =>
    extractImages(kind, object, sub).problems;

  it.each([null, 'pod', 42, [], true])('the object itself is %p', (object) => {
    const result = extractImages(POD, object);
    expect(result.supportedKind).toBe(true);
    expect(result.images).toEqual([]);
    expect(result.problems).toEqual([{ path: '', message: expect.stringContaining('must be an object') }]);
  });

  it('reports a missing pod spec at the first missing step', () => {
    expect(problemsOf(POD, {})).toEqual([{ path: 'spec', message: expect.stringContaining('Required value') }]);
    expect(problemsOf(DEPLOYMENT, { spec: {} })).toEqual([
      { path: 'spec.template', message: expect.stringContaining('spec.template.spec') },
    ]);
    expect(problemsOf(gvk('batch', 'v1', 'CronJob'), { spec: { jobTemplate: { spec: 'x' } } })).toEqual([
      { path: 'spec.jobTemplate.spec', message: 'must be an object, got string' },
    ]);
    expect(problemsOf(DEPLOYMENT, { spec: { template: { spec: null } } })).toEqual([
      { path: 'spec.template.spec', message: expect.stringContaining('Required value') },
    ]);
    expect(problemsOf(POD, { spec: [] })).toEqual([{ path: 'spec', message: 'must be an object, got array' }]);
  });

  it('containers is required; the other lists are optional', () => {
    expect(problemsOf(POD, { spec: {} })).toEqual([
      { path: 'spec.containers', message: expect.stringContaining('Required value') },
    ]);
    expect(problemsOf(POD, { spec: { containers: null } })).toEqual([
      { path: 'spec.containers', message: expect.stringContaining('Required value') },
    ]);
    const minimal = extractImages(POD, { spec: { containers: [{ name: 'a', image: 'a' }], initContainers: null } });
    expect(minimal.problems).toEqual([]);
    expect(pathsOf(minimal.images)).toEqual(['spec.containers[0].image']);
  });

  it.each([
    [{ containers: { 0: { image: 'x' } } }, 'spec.containers', 'must be a list, got object'],
    [{ containers: 'nginx' }, 'spec.containers', 'must be a list, got string'],
    [{ containers: [], initContainers: 7 }, 'spec.initContainers', 'must be a list, got number'],
    [{ containers: [], ephemeralContainers: {} }, 'spec.ephemeralContainers', 'must be a list, got object'],
    [{ containers: [], volumes: 'v' }, 'spec.volumes', 'must be a list, got string'],
    [{ containers: ['nginx'] }, 'spec.containers[0]', 'must be an object, got string'],
    [{ containers: [null] }, 'spec.containers[0]', 'must be an object, got null'],
    [{ containers: [[{ image: 'x' }]] }, 'spec.containers[0]', 'must be an object, got array'],
    [{ containers: [{ name: 'a', image: 7 }] }, 'spec.containers[0].image', 'must be a string, got number'],
    [{ containers: [{ name: 'a', image: ['x'] }] }, 'spec.containers[0].image', 'must be a string, got array'],
    [
      { containers: [{ name: 'a', image: { reference: 'x' } }] },
      'spec.containers[0].image',
      'must be a string, got object',
    ],
    [{ containers: [{ name: 'a' }] }, 'spec.containers[0].image', 'Required value: every container must name an image'],
    [
      { containers: [{ name: 'a', image: '' }] },
      'spec.containers[0].image',
      'Required value: every container must name an image',
    ],
    [
      { containers: [{ name: 'a', image: null }] },
      'spec.containers[0].image',
      'Required value: every container must name an image',
    ],
    [{ containers: [], volumes: [3] }, 'spec.volumes[0]', 'must be an object, got number'],
    [
      { containers: [], volumes: [{ name: 'v', image: 'x' }] },
      'spec.volumes[0].image',
      'must be an object, got string',
    ],
    [
      { containers: [], volumes: [{ name: 'v', image: { reference: 1 } }] },
      'spec.volumes[0].image.reference',
      'must be a string, got number',
    ],
    [
      { containers: [], volumes: [{ name: 'v', image: {} }] },
      'spec.volumes[0].image.reference',
      'Required value: an image volume must name an image',
    ],
  ])('%j → %s: %s', (spec, path, message) => {
    expect(problemsOf(POD, { spec })).toEqual([{ path, message }]);
  });

  it('keeps going after a problem and reports every one', () => {
    const result = extractImages(POD, {
      spec: {
        containers: [{ name: 'ok', image: 'nginx' }, 5, { name: 'bad', image: false }, { name: 'ok2', image: 'redis' }],
        initContainers: 'oops',
        volumes: [{ name: 'v', image: { reference: '' } }],
      },
    });
    expect(result.images.map((i) => i.image)).toEqual(['nginx', 'redis']);
    expect(result.problems.map((p) => p.path)).toEqual([
      'spec.containers[1]',
      'spec.containers[2].image',
      'spec.initContainers',
      'spec.volumes[0].image.reference',
    ]);
  });

  it('an image volume may leave reference empty in a template (the API server allows it there)', () => {
    const result = extractImages(DEPLOYMENT, {
      spec: { template: { spec: { containers: [{ name: 'a', image: 'a' }], volumes: [{ name: 'v', image: {} }] } } },
    });
    expect(result.problems).toEqual([]);
    expect(pathsOf(result.images)).toEqual(['spec.template.spec.containers[0].image']);
  });

  it('a container name that is not a string is reported as empty, not as a problem', () => {
    const result = extractImages(POD, { spec: { containers: [{ name: 12, image: 'nginx' }] } });
    expect(result.images).toEqual([
      { image: 'nginx', path: 'spec.containers[0].image', location: 'container', name: '' },
    ]);
  });

  it('returns images verbatim, whitespace and all (the reference parser judges them)', () => {
    const result = extractImages(POD, {
      spec: {
        containers: [
          { name: 'a', image: ' ' },
          { name: 'b', image: 'NGINX ' },
        ],
      },
    });
    expect(result.images.map((i) => i.image)).toEqual([' ', 'NGINX ']);
  });
});

describe('extractImages: prototype pollution', () => {
  it('ignores fields inherited through __proto__ keys', () => {
    const object: unknown = JSON.parse(
      '{"__proto__": {"spec": {"containers": [{"name": "x", "image": "evil"}]}}, "spec": {"__proto__": {"initContainers": [{"name": "y", "image": "evil2"}]}, "containers": [{"name": "a", "image": "good"}]}}',
    );
    const result = extractImages(POD, object);
    expect(result.images.map((i) => i.image)).toEqual(['good']);
    expect(result.problems).toEqual([]);
  });

  it('does not see a field that only exists on a polluted Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['initContainers'] = [{ name: 'p', image: 'polluted' }];
    proto['image'] = 'polluted-image';
    try {
      const result = extractImages(POD, { spec: { containers: [{ name: 'a' }] } });
      expect(result.images).toEqual([]);
      expect(result.problems).toEqual([
        { path: 'spec.containers[0].image', message: 'Required value: every container must name an image' },
      ]);
    } finally {
      delete proto['initContainers'];
      delete proto['image'];
    }
  });

  it('handles objects without a prototype', () => {
    const container = Object.assign(Object.create(null) as Record<string, unknown>, { name: 'a', image: 'nginx' });
    const spec = Object.assign(Object.create(null) as Record<string, unknown>, { containers: [container] });
    expect(extractImages(POD, { spec }).images.map((i) => i.image)).toEqual(['nginx']);
  });

  it('does not modify the object it reads', () => {
    const object = { spec: podSpec() };
    const before = JSON.stringify(object);
    extractImages(POD, object);
    expect(JSON.stringify(object)).toBe(before);
  });
});

describe('extractImages: size', () => {
  it('handles a Pod with 10,000 containers', () => {
    const containers = Array.from({ length: 10_000 }, (_, i) => ({
      name: `c${i}`,
      image: `registry.example.com/img:${i}`,
    }));
    const result = extractImages(POD, { spec: { containers } });
    expect(result.images).toHaveLength(10_000);
    expect(result.images[9_999]).toEqual({
      image: 'registry.example.com/img:9999',
      path: 'spec.containers[9999].image',
      location: 'container',
      name: 'c9999',
    });
    expect(result.problems).toEqual([]);
  });

  it('does not descend into deeply nested unrelated fields', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    const result = extractImages(POD, { spec: { containers: [{ name: 'a', image: 'a', env: deep }], affinity: deep } });
    expect(result.images).toHaveLength(1);
  });
});

describe('extractImages: property', () => {
  it('never throws, and every image is a non-empty string with a well-formed path', () => {
    const kinds = fc.constantFrom(
      POD,
      DEPLOYMENT,
      gvk('batch', 'v1', 'CronJob'),
      gvk('', 'v1', 'PodTemplate'),
      gvk('', 'v1', 'EphemeralContainers'),
    );
    const container = fc.oneof(
      fc.record({ name: fc.string(), image: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }),
      fc.jsonValue(),
    );
    const spec = fc.record(
      {
        containers: fc.oneof(fc.array(container), fc.jsonValue()),
        initContainers: fc.oneof(fc.array(container), fc.jsonValue()),
        ephemeralContainers: fc.oneof(fc.array(container), fc.jsonValue()),
        volumes: fc.array(
          fc.record({ name: fc.string(), image: fc.oneof(fc.record({ reference: fc.jsonValue() }), fc.jsonValue()) }),
        ),
      },
      { requiredKeys: [] },
    );
    const object = fc.oneof(
      fc.record({ spec }),
      fc.record({ spec: fc.record({ template: fc.record({ spec }) }) }),
      fc.record({ template: fc.record({ spec }) }),
      fc.record({
        spec: fc.record({ jobTemplate: fc.record({ spec: fc.record({ template: fc.record({ spec }) }) }) }),
      }),
      spec,
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(kinds, object, fc.constantFrom(undefined, 'ephemeralcontainers'), (kind, obj, sub) => {
        const result = extractImages(kind, obj, sub);
        for (const location of result.images) {
          expect(typeof location.image).toBe('string');
          expect(location.image).not.toBe('');
          expect(location.path).toMatch(/^([A-Za-z]+(\[\d+\])?\.)*(image|image\.reference)$/);
        }
        for (const problem of result.problems) expect(typeof problem.message).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('extractImagesFromImageReview', () => {
  it('names spec.containers[i].image', () => {
    expect(
      extractImagesFromImageReview({
        containers: [{ image: 'a' }, { image: 'b:1' }],
        annotations: {},
        namespace: 'ns',
      }),
    ).toEqual([
      { image: 'a', path: 'spec.containers[0].image', location: 'container', name: '' },
      { image: 'b:1', path: 'spec.containers[1].image', location: 'container', name: '' },
    ]);
  });

  it('returns nothing for no containers', () => {
    expect(extractImagesFromImageReview({ containers: [], annotations: {}, namespace: '' })).toEqual([]);
  });
});

describe('changedImages', () => {
  const at = (image: string, path: string): ImageLocation => ({ image, path, location: 'container', name: '' });

  it('returns only images the old object did not have', () => {
    const previous = [at('nginx:1', 'spec.containers[0].image'), at('redis:7', 'spec.initContainers[0].image')];
    const current = [
      at('nginx:1', 'spec.containers[0].image'),
      at('redis:7', 'spec.containers[1].image'), // moved, not new
      at('nginx:2', 'spec.containers[2].image'),
    ];
    expect(changedImages(current, previous)).toEqual([at('nginx:2', 'spec.containers[2].image')]);
  });

  it('compares exact strings (a respelled image is checked again)', () => {
    expect(changedImages([at('docker.io/library/nginx:latest', 'p')], [at('nginx', 'p')]).map((l) => l.image)).toEqual([
      'docker.io/library/nginx:latest',
    ]);
  });

  it('returns everything when there was nothing before', () => {
    const current = [at('a', 'x'), at('b', 'y')];
    expect(changedImages(current, [])).toEqual(current);
    expect(changedImages([], current)).toEqual([]);
  });

  it('works on extraction results of an UPDATE', () => {
    const oldPod = { spec: { containers: [{ name: 'a', image: 'app:1' }] } };
    const newPod = { spec: { containers: [{ name: 'a', image: 'app:2' }] } };
    const changed = changedImages(extractImages(POD, newPod).images, extractImages(POD, oldPod).images);
    expect(changed).toEqual([{ image: 'app:2', path: 'spec.containers[0].image', location: 'container', name: 'a' }]);
  });
});
