import { MAX_REFERENCE_INPUT_LENGTH, tryParseImageRef } from '@scangate/image-ref';
import { VALID_REFERENCES, loadEdgeCaseReferences } from '../fixtures/image-refs/image-ref-fixtures';
import { benchRefOracle } from '../harness/ref-oracle';

// Image-reference parsing: scangate's hand-written parser beside Go's distribution/reference
// v0.6.0 (the baseline, run through the oracle's --bench mode) on the same inputs, each for about
// two seconds. Both sides do the same work per input: parse and normalise, derive the familiar
// and canonical strings, or produce the error.

const SECONDS = 2;

export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
}

/** The fixed corpus: the oracle's edge cases (within the input cap) and the valid references, ten times over. */
function mixedCorpus(): string[] {
  const edgeCases = loadEdgeCaseReferences().filter((ref) => ref.length <= MAX_REFERENCE_INPUT_LENGTH);
  return [...edgeCases, ...Array.from({ length: 10 }, () => VALID_REFERENCES).flat()];
}

let sink = 0;

/** scangate's parses per second over repeated passes of the corpus, for about `seconds`. */
function scangateRate(corpus: readonly string[], seconds: number): number {
  for (let i = 0; i < 20; i++) for (const ref of corpus) sink += tryParseImageRef(ref).ok ? 1 : 0; // warm up the JIT
  const deadline = seconds * 1000;
  const started = performance.now();
  let parses = 0;
  let elapsed = 0;
  do {
    for (const ref of corpus) sink += tryParseImageRef(ref).ok ? 1 : 0;
    parses += corpus.length;
    elapsed = performance.now() - started;
  } while (elapsed < deadline);
  return parses / (elapsed / 1000);
}

/** Go's rate over about `seconds`: a short calibration run sizes the measured one. */
async function goRate(corpus: readonly string[], seconds: number): Promise<number> {
  const calibration = await benchRefOracle(corpus, 50);
  const rounds = Math.max(1, Math.ceil((seconds * calibration) / corpus.length));
  return benchRefOracle(corpus, rounds);
}

export async function benchRefParse(): Promise<BenchResult> {
  const mixed = mixedCorpus();
  const valid = [...VALID_REFERENCES];
  const scangateMixed = scangateRate(mixed, SECONDS);
  const goMixed = await goRate(mixed, SECONDS);
  const scangateValid = scangateRate(valid, SECONDS / 2);
  const goValid = await goRate(valid, SECONDS / 2);
  const valids = mixed.filter((ref) => tryParseImageRef(ref).ok).length;
  return {
    name: 'image reference parsing',
    figures: {
      'corpus (mixed)': `${mixed.length} references, ${valids} valid`,
      'scangate parses/s (mixed)': Math.round(scangateMixed),
      'go distribution/reference v0.6.0 parses/s (mixed, baseline)': Math.round(goMixed),
      'scangate ÷ go (mixed)': Number((scangateMixed / goMixed).toFixed(2)),
      'scangate parses/s (valid only)': Math.round(scangateValid),
      'go distribution/reference v0.6.0 parses/s (valid only, baseline)': Math.round(goValid),
      'scangate ÷ go (valid only)': Number((scangateValid / goValid).toFixed(2)),
      'scangate µs/parse (valid only)': Number((1e6 / scangateValid).toFixed(3)),
    },
  };
}

if (require.main === module) {
  benchRefParse().then(
    ({ name, figures }) => {
      const width = Math.max(...Object.keys(figures).map((key) => key.length));
      console.log(name);
      for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(width)}  ${value}`);
      if (sink < 0) console.log(sink); // keeps the parsing observable
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
