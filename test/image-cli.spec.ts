import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './harness/cli';
import {
  buildImage,
  pushImage,
  putManifest,
  requireRegistryBinaries,
  skopeoDigest,
  skopeoInspectRaw,
  startRegistry,
  type TestRegistry,
} from './harness/docker-registry';

// `scangate image pin` and `image resolve` as an operator runs them, against the real Debian
// docker-registry with images pushed by skopeo. The registry listens on loopback: the CLI reaches
// it through registries.privateHosts (an explicit allowance), never with the egress guard off.
// The registry is a separate process, so the blocking runCli is fine here.

requireRegistryBinaries();

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let registry: TestRegistry;
let work: string;
let env: Record<string, string>;
/** skopeo's digest for each `name:tag` pushed below. */
const digests: Record<string, string> = {};

function manifest(host: string, pinnedTools: string): string {
  return `# Rendered by hand; keep this comment.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
spec:
  template:
    spec:
      initContainers:
      - name: init
        image: '${host}/init:1'   # single-quoted
      containers:
      - name: app
        image: "${host}/app:1"
      - name: multi
        image: ${host}/multi:1
      volumes:
      - name: data
        image: {reference: ${host}/tools:3, pullPolicy: IfNotPresent}
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
          containers: [{name: job, image: ${host}/job:2024.1, args: ["--all"]}]
          restartPolicy: OnFailure
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: pinned
    image: ${host}/tools@${pinnedTools}   # already pinned
  ephemeralContainers:
  - name: shell
    image: ${host}/app:1
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-workload}
data:
  image: ${host}/app:1
`;
}

/** The manifest with every workload image pinned to what skopeo reports now. */
function pinnedManifest(host: string, pinnedTools: string): string {
  return manifest(host, pinnedTools)
    .replace(`'${host}/init:1'`, `'${host}/init:1@${digests['init:1']}'`)
    .replace(`"${host}/app:1"`, `"${host}/app:1@${digests['app:1']}"`)
    .replace(`image: ${host}/multi:1\n`, `image: ${host}/multi:1@${digests['multi:1']}\n`)
    .replace(`reference: ${host}/tools:3,`, `reference: ${host}/tools:3@${digests['tools:3']},`)
    .replace(`image: ${host}/job:2024.1,`, `image: ${host}/job:2024.1@${digests['job:2024.1']},`)
    .replace(
      `  - name: shell\n    image: ${host}/app:1\n`,
      `  - name: shell\n    image: ${host}/app:1@${digests['app:1']}\n`,
    );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scangate-image-cli-'));
  registry = await startRegistry();
  env = { SCANGATE_REGISTRIES_INSECURE: registry.host, SCANGATE_REGISTRIES_PRIVATEHOSTS: registry.host };
  for (const [nameTag, format] of [
    ['init:1', 'oci'],
    ['app:1', 'oci'],
    ['tools:3', 'oci'],
    ['job:2024.1', 'v2s2'],
  ] as const) {
    await pushImage(await buildImage(work, nameTag), registry, nameTag, { format });
    digests[nameTag] = await skopeoDigest(registry, nameTag);
  }
  // A multi-arch OCI index over two platform images.
  const entries = [];
  for (const platform of ['linux/amd64', 'linux/arm64']) {
    const tag = platform.replace('/', '-');
    await pushImage(await buildImage(work, `multi ${platform}`, platform), registry, `multi:${tag}`, { format: 'oci' });
    const raw = await skopeoInspectRaw(registry, `multi:${tag}`);
    digests[`multi:${tag}`] = raw.digest;
    const [os, architecture] = platform.split('/');
    entries.push({ mediaType: OCI_MANIFEST, digest: raw.digest, size: raw.raw.length, platform: { os, architecture } });
  }
  await putManifest(
    registry,
    'multi',
    '1',
    OCI_INDEX,
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries })),
  );
  digests['multi:1'] = await skopeoDigest(registry, 'multi:1');
});

afterAll(async () => {
  await registry?.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('scangate image pin', () => {
  it('pins every workload image to the digest skopeo reports, leaving every other byte as it was', () => {
    const file = join(work, 'stdout.yaml');
    const text = manifest(registry.host, digests['tools:3'] ?? '');
    writeFileSync(file, text);
    const cli = runCli(['image', 'pin', file], { env });
    expect(cli.stderr).toBe('scangate: 6 image reference(s) pinned, 1 already pinned and verified\n');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toBe(pinnedManifest(registry.host, digests['tools:3'] ?? ''));
    expect(cli.stdout).toContain(`multi:1@${digests['multi:1']}`); // the index digest, not a platform's
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('--write rewrites the file in place; a second run only verifies and leaves it alone', () => {
    const file = join(work, 'write.yaml');
    writeFileSync(file, manifest(registry.host, digests['tools:3'] ?? ''));
    const first = runCli(['image', 'pin', '--write', file], { env });
    expect(first.stderr).toBe(
      `scangate: 6 image reference(s) pinned, 1 already pinned and verified (${file} rewritten)\n`,
    );
    expect(first.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(pinnedManifest(registry.host, digests['tools:3'] ?? ''));
    const second = runCli(['image', 'pin', '--write', file], { env });
    expect(second.stderr).toBe(
      `scangate: 0 image reference(s) pinned, 7 already pinned and verified (${file} unchanged)\n`,
    );
    expect(second.status).toBe(0);
  });

  it('reads stdin and fails naming document, path and image for a tag the registry does not have', () => {
    const input = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: ${registry.host}/nope:1}\n`;
    const cli = runCli(['image', 'pin', '-'], { env, input });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toContain(`document 1 (Pod p), line 6: spec.containers[0].image "${registry.host}/nope:1": `);
  });

  it('goes through the egress guard: a loopback registry without an allowance, or outside allowedRegistries, is refused', () => {
    const input = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, image: ${registry.host}/app:1}\n`;
    const file = join(work, 'guard.yaml');
    writeFileSync(file, input);
    const noAllowance = runCli(['image', 'pin', file], { env: { SCANGATE_REGISTRIES_INSECURE: registry.host } });
    expect(noAllowance.status).toBe(1);
    expect(noAllowance.stderr).toContain(`spec.containers[0].image "${registry.host}/app:1"`);
    expect(noAllowance.stderr).toMatch(/loopback|private/);
    const notAllowed = runCli(['image', 'pin', file], {
      env: { ...env, SCANGATE_POLICY_ALLOWEDREGISTRIES: 'registry.example.com' },
    });
    expect(notAllowed.status).toBe(1);
    expect(notAllowed.stderr).toContain(`spec.containers[0].image "${registry.host}/app:1"`);
    expect(readFileSync(file, 'utf8')).toBe(input);
  });

  it('a re-pushed tag pins to the new digest; a file pinned before keeps the old one, which is still served', async () => {
    const before = join(work, 'before.yaml');
    const text = `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: ${registry.host}/moving:1 # moves\n`;
    writeFileSync(before, text);
    await pushImage(await buildImage(work, 'moving, first push'), registry, 'moving:1', { format: 'oci' });
    const old = await skopeoDigest(registry, 'moving:1');
    expect(runCli(['image', 'pin', '--write', before], { env }).status).toBe(0);
    expect(readFileSync(before, 'utf8')).toBe(text.replace('moving:1 #', `moving:1@${old} #`));

    await pushImage(await buildImage(work, 'moving, second push'), registry, 'moving:1', { format: 'oci' });
    const moved = await skopeoDigest(registry, 'moving:1');
    expect(moved).not.toBe(old);
    const fresh = runCli(['image', 'pin', '-'], { env, input: text });
    expect(fresh.stdout).toBe(text.replace('moving:1 #', `moving:1@${moved} #`));
    const again = runCli(['image', 'pin', before], { env });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(readFileSync(before, 'utf8'));
    expect(again.stderr).toContain('1 already pinned and verified');
  });
});

describe('scangate image resolve', () => {
  interface Printed {
    reference: string;
    digest: string;
    mediaType?: string;
    platforms: {
      digest: string;
      platform: string;
      mediaType?: string;
      config?: { digest: string };
      layers?: { digest: string; url: string }[];
    }[];
  }

  it('prints the index digest and the chosen platform manifest, config and layers as skopeo sees them', async () => {
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const tag = platform.replace('/', '-');
      const cli = runCli(
        [
          'image',
          'resolve',
          `${registry.host}/multi:1`,
          ...(platform === 'linux/amd64' ? [] : ['--platform', platform]),
        ],
        { env },
      );
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      const printed = JSON.parse(cli.stdout) as Printed;
      const raw = JSON.parse((await skopeoInspectRaw(registry, `multi:${tag}`)).raw.toString()) as {
        config: { digest: string };
        layers: { digest: string }[];
      };
      expect(printed).toMatchObject({
        reference: `${registry.host}/multi:1`,
        digest: digests['multi:1'],
        mediaType: OCI_INDEX,
      });
      expect(printed.platforms.map((p) => [p.platform, p.digest, p.mediaType])).toEqual([
        [platform, digests[`multi:${tag}`], OCI_MANIFEST],
      ]);
      expect(printed.platforms[0]?.config?.digest).toBe(raw.config.digest);
      expect(printed.platforms[0]?.layers?.map((layer) => layer.digest)).toEqual(
        raw.layers.map((layer) => layer.digest),
      );
      expect(printed.platforms[0]?.layers?.[0]?.url).toBe(
        `http://${registry.host}/v2/multi/blobs/${raw.layers[0]?.digest}`,
      );
      expect(cli.stdout).not.toMatch(/headers|authorization/i);
    }
  });

  it('resolves a Docker v2s2 tag and a digest reference to what skopeo reports', () => {
    const byTag = JSON.parse(runCli(['image', 'resolve', `${registry.host}/job:2024.1`], { env }).stdout) as Printed;
    expect(byTag.digest).toBe(digests['job:2024.1']);
    expect(byTag.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const byDigest = JSON.parse(
      runCli(['image', 'resolve', `${registry.host}/job@${digests['job:2024.1']}`], { env }).stdout,
    ) as Printed;
    expect(byDigest.digest).toBe(digests['job:2024.1']);
  });

  it('fails with the typed registry error, and refuses bad arguments', () => {
    const unknown = runCli(['image', 'resolve', `${registry.host}/nothing:1`], { env });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('(MANIFEST_UNKNOWN, permanent)');
    expect(runCli(['image', 'resolve', 'Nginx:1'], { env }).status).toBe(2);
    expect(runCli(['image', 'resolve', 'nginx', '--platform', 'linux'], { env }).status).toBe(2);
  });
});
