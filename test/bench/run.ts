import { benchAdmission } from './admission.bench';
import { benchRefParse } from './ref-parse.bench';
import type { BenchResult } from './ref-parse.bench';

/** `pnpm bench`: every benchmark, each beside its baseline measured in the same run. */
async function main(): Promise<void> {
  const results: BenchResult[] = [];
  for (const bench of [benchRefParse, benchAdmission]) {
    const result = await bench();
    results.push(result);
    process.stdout.write(`\n${result.name}\n`);
    for (const [label, value] of Object.entries(result.figures)) process.stdout.write(`  ${label.padEnd(64)} ${value}\n`);
  }
  process.stdout.write(`\nmachine: ${require('node:os').cpus().length} cores, node ${process.version}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
