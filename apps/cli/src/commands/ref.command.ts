import type { Command } from 'commander';
import { describeReference } from '@scangate/image-ref';
import { readInput } from '../io/read-input';

/** `scangate ref parse [REF…]`: one JSON object per reference; stdin lines when no argument. */
export function registerRefCommand(program: Command): void {
  program
    .command('ref')
    .description('image reference tools')
    .command('parse')
    .description('parse and normalise image references like distribution/reference (exit 1 if any is invalid)')
    .argument('[refs...]', 'references; read one per line from stdin when none')
    .action((refs: string[]) => {
      const inputs = refs.length > 0 ? refs : linesOf(readInput('-'));
      let invalid = 0;
      const out = inputs.map((input) => {
        const described = describeReference(input);
        if ('error' in described) invalid++;
        return JSON.stringify(described);
      });
      process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
      process.exitCode = invalid > 0 ? 1 : 0;
    });
}

function linesOf(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
