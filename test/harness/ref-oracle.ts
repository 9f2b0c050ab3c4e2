import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

// The Go oracle for @scangate/image-ref: github.com/distribution/reference v0.6.0 behind a small
// main (test/oracle/refparse), built once by test/peers/build-ref-oracle.sh into the user cache.

export const REF_ORACLE_VERSION = 'v0.6.0';

export const GO_MISSING_MESSAGE =
  'Go toolchain not found: install Go 1.19+ (apt-get install -y golang-go) or run test/peers/build-ref-oracle.sh';

/** One line of the oracle's output: the shape `scangate ref parse` prints. */
export interface RefOracleLine {
  readonly input: string;
  readonly name?: string;
  readonly domain?: string;
  readonly path?: string;
  readonly tag?: string;
  readonly digest?: string;
  readonly familiar?: string;
  readonly canonical?: string;
  readonly error?: string;
}

/** normalized: reference.ParseNormalizedNamed; named: reference.ParseNamed. */
export type RefOracleMode = 'normalized' | 'named';

let verifiedBinary: string | undefined;

/**
 * The oracle binary's path, building it first when it is missing or older than its sources.
 * Throws (with the install command) when a build is needed and Go is not on PATH.
 */
export function ensureRefOracle(): string {
  if (verifiedBinary !== undefined) return verifiedBinary;
  const testRoot = findTestRoot();
  const sourceDir = join(testRoot, 'oracle', 'refparse');
  // $HOME as build-ref-oracle.sh sees it (os.homedir() would miss a HOME changed in-process).
  const home = process.env['HOME'] ?? homedir();
  const outDir = join(home, '.cache', 'scangate', `ref-oracle-${REF_ORACLE_VERSION}`);
  const binary = join(outDir, 'ref-oracle');
  if (!isBuiltFrom(sourceDir, outDir, binary)) {
    if (!onPath('go')) throw new Error(GO_MISSING_MESSAGE);
    // Inherit stdout/stderr so the first build's cost shows in CI output.
    execFileSync('bash', [join(testRoot, 'peers', 'build-ref-oracle.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (!isBuiltFrom(sourceDir, outDir, binary))
      throw new Error(`build-ref-oracle.sh ran but ${binary} is not current`);
  }
  verifiedBinary = binary;
  return binary;
}

/** Parses every input with Go; one line per input, in order. */
export async function runRefOracle(
  inputs: readonly string[],
  mode: RefOracleMode = 'normalized',
): Promise<RefOracleLine[]> {
  const stdout = await runOracle(['--json-lines', '--mode', mode], inputs);
  const lines = stdout.split('\n').filter((line) => line !== '');
  if (lines.length !== inputs.length) {
    throw new Error(`ref-oracle answered ${lines.length} lines for ${inputs.length} inputs`);
  }
  return lines.map((line) => JSON.parse(line) as RefOracleLine);
}

/** Go's parses per second over `rounds` passes of `inputs` (ParseNormalizedNamed + FamiliarString + TagNameOnly). */
export async function benchRefOracle(inputs: readonly string[], rounds: number): Promise<number> {
  const stdout = await runOracle(['--json-lines', '--bench', String(rounds)], inputs);
  const figures = JSON.parse(stdout) as { parsesPerSecond?: unknown };
  if (typeof figures.parsesPerSecond !== 'number') throw new Error(`unexpected ref-oracle bench output: ${stdout}`);
  return figures.parsesPerSecond;
}

function runOracle(args: readonly string[], inputs: readonly string[]): Promise<string> {
  const binary = ensureRefOracle();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`ref-oracle exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
    child.stdin.end(inputs.map((input) => JSON.stringify(input) + '\n').join(''));
  });
}

/** Same hash as build-ref-oracle.sh: sha256 of go.mod, go.sum and main.go, concatenated. */
function isBuiltFrom(sourceDir: string, outDir: string, binary: string): boolean {
  const stamp = join(outDir, 'source.sha256');
  if (!existsSync(binary) || !existsSync(stamp)) return false;
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(sourceDir, file)));
  return readFileSync(stamp, 'utf8').trim() === hash.digest('hex');
}

function onPath(command: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The repository's test/ directory, whether this runs from source (Jest) or from test/dist. */
function findTestRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'oracle', 'refparse', 'go.mod'))) return dir;
    if (dirname(dir) === dir) throw new Error(`test/oracle/refparse not found above ${__dirname}`);
  }
}
