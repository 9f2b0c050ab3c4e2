import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './harness/cli';

// The Dockerfile cannot be built here (no Docker engine), so it is checked statically: stages,
// pinned bases, the pnpm/tsc/deploy steps, a numeric non-root user, an entrypoint that is the CLI,
// and COPY sources that exist and that .dockerignore lets through.

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
const rootPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  packageManager: string;
  engines: { node: string };
};
const cliPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'apps', 'cli', 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

/** Instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function stagesOf(all: readonly Instruction[]): { globalArgs: Record<string, string>; stages: Stage[] } {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [key = '', ...value] = instruction.args.split('=');
        globalArgs[key] = value.join('=');
      }
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

const expand = (text: string, args: Record<string, string>): string =>
  text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args[a ?? b ?? ''] ?? '');
const args = (stage: Stage, keyword: string): string[] =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

/** Whether .dockerignore keeps `path` out of the build context (last matching pattern wins, `!` re-includes). */
function ignored(path: string): boolean {
  let result = false;
  for (const raw of dockerignore.split('\n').map((line) => line.trim())) {
    if (raw === '' || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const source = pattern
      .split('/')
      .map((segment) =>
        segment === '**'
          ? '\u0000'
          : segment
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')
      .replace(/\u0000\//g, '(?:.*/)?')
      .replace(/\u0000/g, '.*');
    // A pattern matching a directory excludes everything under it.
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) result = !negated;
  }
  return result;
}

const all = instructions(dockerfile);
const { globalArgs, stages } = stagesOf(all);
const final = stages[stages.length - 1] as Stage;
const build = stages.find((stage) => stage.name === 'build') as Stage;

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(final.name).toBe('runtime');
  });

  it('pins every base image by digest (never latest), on a Node release the engines field accepts', () => {
    for (const stage of stages) {
      const image = expand(stage.from, globalArgs);
      expect(image).toMatch(/^docker\.io\/library\/node:\d+\.\d+\.\d+-bookworm-slim@sha256:[a-f0-9]{64}$/);
      expect(image).not.toMatch(/:latest\b/);
      const [major, minor] = (/:(\d+)\.(\d+)\.\d+/.exec(image) ?? []).slice(1).map(Number);
      // package.json engines: ">=20.19.0 <21 || >=22.12.0"
      expect(rootPackage.engines.node).toBe('>=20.19.0 <21 || >=22.12.0');
      expect((major === 20 && (minor ?? 0) >= 19) || (major ?? 0) > 22 || (major === 22 && (minor ?? 0) >= 12)).toBe(
        true,
      );
    }
  });

  it("installs the pnpm of package.json's packageManager, from the lockfile, compiles with tsc -b and deploys the CLI's production closure", () => {
    const runs = args(build, 'RUN').join('\n');
    const pnpmVersion = rootPackage.packageManager.replace(/^pnpm@/, '');
    expect(runs).toContain(`pnpm@${pnpmVersion}`);
    expect(runs).toMatch(/pnpm install --frozen-lockfile/);
    expect(runs).toMatch(/tsc -b apps\/cli/);
    expect(runs).toMatch(/pnpm --filter @scangate\/cli deploy --prod/);
  });

  it('compiles every workspace package the CLI depends on (tsc -b follows apps/cli/tsconfig.json references)', () => {
    const cliDir = join(REPO_ROOT, 'apps', 'cli');
    const references = (
      JSON.parse(readFileSync(join(cliDir, 'tsconfig.json'), 'utf8')) as { references: { path: string }[] }
    ).references.map((reference) => relative(REPO_ROOT, resolve(cliDir, reference.path)));
    const workspaceDependencies = Object.keys(cliPackage.dependencies).filter((name) => name.startsWith('@scangate/'));
    expect(workspaceDependencies.length).toBeGreaterThan(0);
    for (const dependency of workspaceDependencies) {
      const name = dependency.replace('@scangate/', '');
      expect(references).toContainEqual(expect.stringMatching(new RegExp(`^(libs|apps)/${name}$`)));
    }
  });

  it('copies every workspace package manifest the frozen lockfile names (its importers) into the build', () => {
    const lockfile = parse(readFileSync(join(REPO_ROOT, 'pnpm-lock.yaml'), 'utf8')) as {
      importers: Record<string, unknown>;
    };
    const copied = args(build, 'COPY').map((copy) => copy.split(/\s+/));
    const copiedSources = copied.flatMap((parts) => parts.slice(0, -1).filter((part) => !part.startsWith('--')));
    for (const importer of Object.keys(lockfile.importers)) {
      const manifest = importer === '.' ? 'package.json' : `${importer}/package.json`;
      const reached = copiedSources.some(
        (source) => source === manifest || manifest.startsWith(`${source.replace(/\/$/, '')}/`),
      );
      expect({ manifest, reached }).toEqual({ manifest, reached: true });
      expect({ manifest, ignored: ignored(manifest) }).toEqual({ manifest, ignored: false });
    }
  });

  it('copies only sources that exist and that .dockerignore lets through', () => {
    const contextCopies = stages.flatMap((stage) => args(stage, 'COPY')).filter((copy) => !copy.includes('--from='));
    expect(contextCopies.length).toBeGreaterThan(0);
    for (const copy of contextCopies) {
      const sources = copy
        .split(/\s+/)
        .filter((part) => !part.startsWith('--'))
        .slice(0, -1);
      for (const source of sources) {
        expect({ source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
        expect({ source, ignored: ignored(source) }).toEqual({ source, ignored: false });
      }
    }
  });

  it('keeps build outputs, dependencies and git out of the context, but not the sources', () => {
    for (const path of [
      'node_modules',
      'libs/config/node_modules/yaml',
      'apps/cli/dist/main.js',
      'libs/kube/tsconfig.tsbuildinfo',
      '.git/HEAD',
      'test/helm-chart.spec.ts',
      'libs/config/src/load-config.spec.ts',
    ]) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
    }
    for (const path of [
      'package.json',
      'pnpm-lock.yaml',
      '.npmrc',
      'test/package.json',
      'libs/config/src/load-config.ts',
      'apps/cli/src/main.ts',
      'apps/cli/tsconfig.json',
    ]) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: false });
    }
  });

  it('runs as a numeric non-root user that owns its working directory, the only place it writes', () => {
    const users = args(final, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = (users[0] ?? '').split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(gid === undefined || /^\d+$/.test(gid)).toBe(true);
    const workdir = args(final, 'WORKDIR').at(-1) ?? '';
    expect(args(final, 'RUN').join('\n')).toContain(`chown ${uid}:${gid ?? uid} ${workdir}`);
    // Nothing from the context in the runtime stage: only the deployed CLI of the build stage.
    expect(args(final, 'COPY').every((copy) => copy.includes('--from=build'))).toBe(true);
  });

  it("has the scangate CLI as entrypoint (serve by default), the deployed package's bin", () => {
    const entrypoint = JSON.parse(args(final, 'ENTRYPOINT')[0] ?? '[]') as string[];
    const copy = (args(final, 'COPY').find((line) => line.includes('--from=build')) ?? '')
      .split(/\s+/)
      .filter((part) => !part.startsWith('--'));
    const [deployed, appDir] = copy;
    expect(deployed).toBe('/out');
    expect(args(build, 'RUN').join('\n')).toContain(`deploy --prod --legacy ${deployed ?? ''}`);
    expect(entrypoint).toEqual(['node', `${appDir ?? ''}/${cliPackage.bin['scangate'] ?? ''}`]);
    expect(JSON.parse(args(final, 'CMD')[0] ?? '[]')).toEqual(['serve']);
    expect(args(final, 'EXPOSE').join(' ').split(/\s+/).map(Number).sort()).toEqual([8081, 8443, 9464]);
  });
});
