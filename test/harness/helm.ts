import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './cli';
import { onPath } from './local-host';

// Helm 3 (REAL-PEERS.md: built from the Go module proxy by test/peers/build-helm.sh) against the
// repository's chart. Every call gets its own HELM_* directories, so nothing is read from or
// written to the user's Helm setup, and no repository index is ever fetched.

export const HELM_VERSION = process.env['HELM_VERSION'] ?? 'v3.21.4';
export const CHART_DIR = join(REPO_ROOT, 'charts', 'scangate');
const CACHED_HELM = join(homedir(), '.cache', 'scangate', `helm-${HELM_VERSION}`, 'helm');
export const HELM_MISSING_MESSAGE =
  `helm ${HELM_VERSION} is missing at ${CACHED_HELM}: build it with \`bash test/peers/build-helm.sh\` ` +
  '(go install helm.sh/helm/v3/cmd/helm from the Go module proxy)';
const HELM_TIMEOUT_MS = 120_000;

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Kubernetes object as rendered (only the fields every object has are typed). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly annotations?: Record<string, string>;
    readonly labels?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** The helm binary: $HELM, the cached build, then PATH; throws with the build command otherwise. */
export function helmBinary(): string {
  const explicit = process.env['HELM'];
  if (explicit !== undefined && explicit !== '') return explicit;
  try {
    accessSync(CACHED_HELM, constants.X_OK);
    return CACHED_HELM;
  } catch {
    if (onPath('helm')) return 'helm';
    throw new Error(HELM_MISSING_MESSAGE);
  }
}

export class Helm {
  private readonly home = mkdtempSync(join(tmpdir(), 'scangate-helm-'));
  private valueFiles = 0;

  constructor(private readonly binary: string = helmBinary()) {}

  /** Runs helm; never throws on a non-zero exit. */
  run(args: readonly string[], env: Record<string, string> = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      execFile(
        this.binary,
        [...args],
        {
          cwd: REPO_ROOT,
          timeout: HELM_TIMEOUT_MS,
          maxBuffer: 32 * 1024 * 1024,
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: this.home,
            HELM_CACHE_HOME: join(this.home, 'cache'),
            HELM_CONFIG_HOME: join(this.home, 'config'),
            HELM_DATA_HOME: join(this.home, 'data'),
            ...env,
          },
        },
        (error, stdout, stderr) => {
          if (error !== null && typeof error.code !== 'number') {
            reject(new Error(`helm ${args.join(' ')}: ${error.message}\n${stderr}`));
            return;
          }
          resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
        },
      );
    });
  }

  /** A values file for `-f` (JSON is YAML). */
  valuesFile(values: Record<string, unknown>): string {
    this.valueFiles += 1;
    const file = join(this.home, `values-${this.valueFiles}.yaml`);
    writeFileSync(file, JSON.stringify(values));
    return file;
  }

  /** `helm template` of the chart; throws with helm's message when it fails. */
  async template(
    values: Record<string, unknown>,
    options: { release?: string; namespace?: string } = {},
  ): Promise<KubeObject[]> {
    const result = await this.run([
      'template',
      options.release ?? 'gate',
      CHART_DIR,
      '--namespace',
      options.namespace ?? 'scangate',
      '-f',
      this.valuesFile(values),
    ]);
    if (result.code !== 0) throw new Error(`helm template failed (${result.code}):\n${result.stderr}`);
    return parseManifests(result.stdout);
  }

  dispose(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** The objects of a multi-document YAML stream (empty documents dropped). */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`invalid YAML from helm: ${document.errors[0]?.message ?? ''}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null && typeof object === 'object');
}

/** The one object of this kind (and name suffix, when several); throws naming what was rendered. */
export function findObject(objects: readonly KubeObject[], kind: string, nameSuffix = ''): KubeObject {
  const found = objects.filter((object) => object.kind === kind && object.metadata.name.endsWith(nameSuffix));
  if (found.length !== 1) {
    const rendered = objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind} named *${nameSuffix}, found ${found.length} among: ${rendered}`);
  }
  return found[0] as KubeObject;
}
