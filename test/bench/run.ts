import { cpus } from 'node:os';
import { benchAdmission } from './admission.bench';
import { MissingPeerError } from './peers';
import { benchRefParse } from './ref-parse.bench';

/** `pnpm bench`: every benchmark, each beside its baseline measured in the same run. */
// Flags (after `pnpm bench --`): --quick (short runs, to check the harness), --admission-only,
// --profile (profile scenario (c) even when the goals are met).
async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const started = performance.now();
  if (!args.has('--admission-only')) {
    const refParse = await benchRefParse();
    process.stdout.write(`\n${refParse.name}\n`);
    for (const [label, value] of Object.entries(refParse.figures))
      process.stdout.write(`  ${label.padEnd(64)} ${value}\n`);
  }

  const admission = await benchAdmission({ quick: args.has('--quick'), profile: args.has('--profile') });
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `\nmachine: ${cpus().length} × ${cpu}, node ${process.version}; bench took ${((performance.now() - started) / 1000).toFixed(0)}s\n`,
  );
  if (!admission.goalsMet) process.stdout.write('a goal was missed: see the goal lines and the profile above\n');
}

main().catch((error: unknown) => {
  if (error instanceof MissingPeerError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
