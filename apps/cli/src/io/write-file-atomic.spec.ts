import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './write-file-atomic';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scangate-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the content, keeps the mode and leaves no temporary file', () => {
    const file = join(dir, 'deploy.yaml');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o640);
    writeFileAtomic(file, 'new\r\n');
    expect(readFileSync(file, 'utf8')).toBe('new\r\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['deploy.yaml']);
  });

  it('fails on a missing file without creating it', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => writeFileAtomic(file, 'x')).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
