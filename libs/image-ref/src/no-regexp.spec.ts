import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The parser is written by hand so that no input can make it backtrack: no regular expression may
// run in it. A regex can only run through these calls, so their absence is the guarantee.
const REGEXP_USES = [
  'RegExp',
  '.test(',
  '.exec(',
  '.match(',
  '.matchAll(',
  '.replace(',
  '.replaceAll(',
  '.split(',
  '.search(',
];

const sources = readdirSync(__dirname).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));

describe('no regular expressions in the parser', () => {
  it('covers the parser sources', () => {
    expect(sources).toEqual(
      expect.arrayContaining(['reference-grammar.ts', 'reference-parser.ts', 'domain.ts', 'digest.ts']),
    );
  });

  it.each(sources)('%s runs none', (file) => {
    const code = readFileSync(join(__dirname, file), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\*|\/\*\*)/.test(line)) // comments may quote Go's patterns
      .join('\n');
    expect(REGEXP_USES.filter((use) => code.includes(use))).toEqual([]);
  });
});
