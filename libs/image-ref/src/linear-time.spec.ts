import fc from 'fast-check';
import { MAX_REFERENCE_INPUT_LENGTH, tryParseImageRef } from './index';
import { type ParseOutcome, countParseSteps, parseNamed, parseNormalizedNamed } from './reference-parser';

// Linear time, proven by counting: the core counts one step per character it examines or copies,
// and every input of length n must take at most STEPS_PER_CHAR · n (+ a constant) steps. Timing is
// only a hang detector with a deadline a thousand times what the work needs.

const STEPS_PER_CHAR = 16;
const CONSTANT_STEPS = 200; // the fixed strings: "docker.io/", "library/", ":latest", digest algorithm names
const HANG_DEADLINE_MS = 1000;
const SIZE = 100 * 1024;

const H64 = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';

function repeatTo(unit: string, size = SIZE): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** Inputs built to make a backtracking matcher explode, each 100 KB. */
const ADVERSARIAL: ReadonlyArray<[string, string]> = [
  ['a-a-a-…', 'a' + repeatTo('-a', SIZE - 1)],
  ['a-a-a-…!', 'a' + repeatTo('-a', SIZE - 2) + '!'],
  ['a/a/a/…', repeatTo('a/')],
  ['a:a:a:…', repeatTo('a:')],
  ['[[[[…', repeatTo('[')],
  ['[::::…', '[' + repeatTo(':', SIZE - 1)],
  ['a.a.a.…', repeatTo('a.')],
  ['a_a_a_…', repeatTo('a_')],
  ['a__a__…_', repeatTo('a__') + '_'],
  ['@@@@…', repeatTo('@')],
  ['////…', repeatTo('/')],
  ['a-----…', 'a' + repeatTo('-', SIZE - 1)],
  ['aaaa…', repeatTo('a')],
  ['AAAA…', repeatTo('A')],
  ['x/AAAA…', 'x/' + repeatTo('A', SIZE - 2)],
  ['a.b/…/X (one uppercase letter at the very end of the path)', repeatTo('a.b/', SIZE - 1) + 'X'],
  ['A_B.c/…', 'A_B.c/' + repeatTo('a/', SIZE - 6)],
  ['example.com/x:ttt…', 'example.com/x:' + repeatTo('t', SIZE - 14)],
  ['x@sha256:fff…', 'x@sha256:' + repeatTo('f', SIZE - 9)],
  ['x@a.a.a.…:fff', 'x@' + repeatTo('a.', SIZE - 68) + 'a:' + 'f'.repeat(64)],
  ['x:t@sha999:fff…', 'x:t@sha999:' + repeatTo('f', SIZE - 11)],
  ['sha256:sha256:…', repeatTo('sha256:')],
  ['[::1]:5000/[::1]:5000/…', repeatTo('[::1]:5000/')],
  ['long domain, valid', repeatTo('a', SIZE - 6) + '.com/x'],
  ['hex hex hex…', repeatTo(H64)],
  ['é…', repeatTo('é')],
  ['İ…/x', repeatTo('İ', SIZE - 2) + '/x'],
  ['🐳…', repeatTo('🐳')],
];

function expectLinear(input: string, steps: number): void {
  expect(steps).toBeLessThanOrEqual(STEPS_PER_CHAR * input.length + CONSTANT_STEPS);
}

describe('parsing takes linear time', () => {
  describe.each<[string, (input: string) => ParseOutcome]>([
    ['ParseNormalizedNamed', parseNormalizedNamed],
    ['ParseNamed', parseNamed],
  ])('the uncapped %s core on 100 KB adversarial inputs', (_name, core) => {
    it.each(ADVERSARIAL)('%s', (_label, input) => {
      expect(input.length).toBeGreaterThanOrEqual(SIZE - 2); // 🐳 and é count in UTF-16 units
      const started = performance.now();
      const { outcome, steps } = countParseSteps(input, core);
      const elapsed = performance.now() - started;
      expect(typeof outcome.ok).toBe('boolean');
      expectLinear(input, steps);
      expect(elapsed).toBeLessThan(HANG_DEADLINE_MS);
    });
  });

  it('grows in proportion to the input: 100× the input, about 100× the steps', () => {
    const small = countParseSteps(repeatTo('a.b/', 1024 - 1) + 'X').steps;
    const large = countParseSteps(repeatTo('a.b/', SIZE - 1) + 'X').steps;
    expect(large / small).toBeGreaterThan(90);
    expect(large / small).toBeLessThan(110);
  });

  it('the public parser refuses the 100 KB inputs before parsing them', () => {
    for (const [, input] of ADVERSARIAL) {
      const result = tryParseImageRef(input);
      expect(!result.ok && result.error.code).toBe('REFERENCE_TOO_LONG');
    }
    expect(MAX_REFERENCE_INPUT_LENGTH).toBeLessThan(SIZE);
  });
});

const VALID = [
  'nginx',
  'nginx:1.25-alpine',
  `nginx:1.25@sha256:${H64}`,
  'docker.io/library/nginx:latest',
  'index.docker.io/user/app',
  'registry.k8s.io/pause:3.9',
  `ghcr.io/org/team/app@sha256:${H64}`,
  'localhost:5000/app:dev',
  '[::1]:5000/app:1',
  'Registry.Example.COM:8443/a/b/c:T_1',
  'a_b.c/path__with--seps.and_dots',
];
const ALPHABET = ['a', 'Z', '0', 'f', '_', '-', '.', ':', '/', '@', '[', ']', '+', ' ', 'é', 'İ'];

const mutatedReference: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(
      fc.record({
        kind: fc.constantFrom('insert', 'delete', 'replace', 'repeat'),
        at: fc.nat(),
        char: fc.constantFrom(...ALPHABET),
        times: fc.integer({ min: 2, max: 600 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([seed, mutations]) => {
    let s = seed;
    for (const { kind, at, char, times } of mutations) {
      const i = at % (s.length + 1);
      if (kind === 'insert') s = s.slice(0, i) + char + s.slice(i);
      else if (kind === 'delete') s = s.slice(0, i) + s.slice(i + 1);
      else if (kind === 'replace') s = s.slice(0, i) + char + s.slice(i + 1);
      else s = s.slice(0, i) + s.slice(i, i + 3).repeat(times) + s.slice(i); // '-a-a-a…', '::::…'
    }
    return s;
  });

describe('10,000 random mutations of valid references', () => {
  it('are each answered by the public parser, in linear steps, with stable results', () => {
    fc.assert(
      fc.property(mutatedReference, (input) => {
        const result = tryParseImageRef(input); // never throws
        if (input.length <= MAX_REFERENCE_INPUT_LENGTH) {
          const { outcome, steps } = countParseSteps(input);
          expectLinear(input, steps);
          expect(outcome.ok).toBe(result.ok);
        }
        if (result.ok) {
          // The canonical form parses to itself, with the same name.
          const again = tryParseImageRef(result.ref.canonical);
          expect(again.ok && [again.ref.name, again.ref.canonical]).toEqual([result.ref.name, result.ref.canonical]);
        } else {
          expect(result.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 10_000, seed: 0x11ea7 },
    );
  });
});
