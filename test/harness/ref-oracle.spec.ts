import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GO_MISSING_MESSAGE, ensureRefOracle } from './ref-oracle';

describe('ensureRefOracle without Go', () => {
  const saved = { HOME: process.env['HOME'], PATH: process.env['PATH'] };
  let emptyHome: string;

  beforeEach(() => {
    emptyHome = mkdtempSync(join(tmpdir(), 'scangate-no-oracle-'));
    process.env['HOME'] = emptyHome; // no cached binary here
    process.env['PATH'] = emptyHome; // and no go on PATH
  });

  afterEach(() => {
    process.env['HOME'] = saved.HOME;
    process.env['PATH'] = saved.PATH;
    rmSync(emptyHome, { recursive: true, force: true });
  });

  it('fails with the install command instead of skipping', () => {
    expect(() => ensureRefOracle()).toThrow(GO_MISSING_MESSAGE);
    expect(GO_MISSING_MESSAGE).toContain('apt-get install -y golang-go');
  });
});
