import {
  MAX_REFERENCE_INPUT_LENGTH,
  type ImageRefParseResult,
  type ReferenceDescription,
  describeReference,
  tryParseCanonicalImageRef,
} from '@scangate/image-ref';
import fc from 'fast-check';
import { loadEdgeCaseReferences, VALID_REFERENCES } from './fixtures/image-refs/image-ref-fixtures';
import { type RefOracleLine, type RefOracleMode, ensureRefOracle, runRefOracle } from './harness/ref-oracle';

// @scangate/image-ref against Go's github.com/distribution/reference v0.6.0 on the same inputs.
// Below the input cap the whole `scangate ref parse` line must be identical — fields and error
// text; above it (Go has no cap) both must fail.

/** Characters the grammar gives a meaning to, plus a few that Go and JavaScript treat differently. */
const MUTATION_ALPHABET = [
  'a',
  'z',
  'A',
  'Z',
  '0',
  '9',
  'f',
  'F',
  '_',
  '-',
  '.',
  ':',
  '/',
  '@',
  '[',
  ']',
  '+',
  '=',
  ' ',
  'é',
  'İ',
  'K',
  '🐳',
];

interface Mutation {
  readonly kind: 'insert' | 'delete' | 'replace' | 'duplicate';
  readonly at: number;
  readonly char: string;
}

/** Applies the mutations by code point, so no surrogate pair is split (Go would see U+FFFD). */
function mutate(seed: string, mutations: readonly Mutation[]): string {
  const s = Array.from(seed);
  for (const { kind, at, char } of mutations) {
    const i = s.length === 0 ? 0 : at % (s.length + (kind === 'insert' ? 1 : 0));
    if (kind === 'insert') s.splice(i, 0, char);
    else if (kind === 'delete') s.splice(i, 1);
    else if (kind === 'replace') s.splice(i, 1, char);
    else s.splice(i, 0, ...s.slice(i, i + 8)); // repeat a short run: '::', '//', '@@'
  }
  return s.join('');
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace', 'duplicate'),
  at: fc.nat({ max: 10_000 }),
  char: fc.constantFrom(...MUTATION_ALPHABET),
});

const edgeCases = loadEdgeCaseReferences();
const mutated = fc.sample(
  fc
    .tuple(fc.constantFrom(...VALID_REFERENCES, ...edgeCases), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([seed, mutations]) => mutate(seed, mutations)),
  { seed: 0x5ca9, numRuns: 2500 },
);
const inputs = [...VALID_REFERENCES, ...edgeCases, ...mutated];

/** What the Go oracle prints in ParseNamed mode, from the TypeScript side. */
function describeResult(input: string, result: ImageRefParseResult): ReferenceDescription {
  if (!result.ok) return { input, error: result.error.message };
  const { name, domain, path, tag, digest, familiar, canonical } = result.ref;
  return {
    input,
    name,
    domain,
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    familiar,
    canonical,
  };
}

interface Mismatch {
  readonly input: string;
  readonly scangate: ReferenceDescription;
  readonly go: RefOracleLine;
}

/** Mismatches, rendered so that a failure reads as a diff per input. */
async function compare(mode: RefOracleMode, describe: (input: string) => ReferenceDescription): Promise<Mismatch[]> {
  const go = await runRefOracle(inputs, mode);
  const mismatches: Mismatch[] = [];
  inputs.forEach((input, i) => {
    const ours = describe(input);
    const theirs = go[i];
    if (theirs === undefined || theirs.input !== input)
      throw new Error(`oracle line ${i} is not for ${JSON.stringify(input)}`);
    const agree =
      input.length > MAX_REFERENCE_INPUT_LENGTH
        ? 'error' in ours && theirs.error !== undefined // over the cap: both must refuse
        : JSON.stringify(ours) === JSON.stringify(theirs); // same keys, same order, same values
    if (!agree) mismatches.push({ input, scangate: ours, go: theirs });
  });
  return mismatches;
}

function render(mismatches: readonly Mismatch[]): string[] {
  return mismatches.map(
    (m) => `${JSON.stringify(m.input)}\n  scangate: ${JSON.stringify(m.scangate)}\n  go:       ${JSON.stringify(m.go)}`,
  );
}

describe('image-ref against Go distribution/reference v0.6.0', () => {
  beforeAll(() => {
    ensureRefOracle(); // builds once (visible in the output); throws the install command without Go
  });

  it(`has at least 150 edge cases and 500 inputs in all (${edgeCases.length} edge cases, ${inputs.length} inputs)`, () => {
    expect(edgeCases.length).toBeGreaterThanOrEqual(150);
    expect(inputs.length).toBeGreaterThanOrEqual(500);
    expect(inputs.some((input) => input.length > MAX_REFERENCE_INPUT_LENGTH)).toBe(true);
  });

  it(`ParseNormalizedNamed: identical \`ref parse\` lines for all ${inputs.length} inputs`, async () => {
    const mismatches = await compare('normalized', describeReference);
    expect(render(mismatches)).toEqual([]);
  });

  it(`ParseNamed: identical results for all ${inputs.length} inputs`, async () => {
    const mismatches = await compare('named', (input) => describeResult(input, tryParseCanonicalImageRef(input)));
    expect(render(mismatches)).toEqual([]);
  });

  it('covers successes and failures of every kind Go reports', async () => {
    const go = await runRefOracle(inputs);
    const errors = new Set(
      go.flatMap((line) => (line.error === undefined ? [] : [line.error.replace(/\(.*\)/s, '(…)')])),
    );
    expect([...errors].sort()).toEqual(
      [
        'invalid checksum digest format',
        'invalid checksum digest length',
        'invalid reference format',
        'invalid reference format: repository name (…) must be lowercase',
        'invalid repository name (…), cannot specify 64-byte hexadecimal strings',
        'repository name must be lowercase',
        'repository name must not be more than 255 characters',
        'unsupported digest algorithm',
      ].sort(),
    );
    expect(go.filter((line) => line.error === undefined).length).toBeGreaterThan(200);
    expect(go.some((line) => line.domain === '')).toBe(true); // `a_b.c/x`: no domain at all
  });
});
