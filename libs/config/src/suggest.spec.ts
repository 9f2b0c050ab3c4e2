import { suggest } from './suggest';

describe('suggest', () => {
  const keys = ['allowTTL', 'denyTTL', 'tagTTL', 'errorBackoffMs'];

  it('matches ignoring case and underscores first', () => {
    expect(suggest('allowttl', keys)).toBe('allowTTL');
    expect(suggest('SCANGATE_DATA_DIR', ['SCANGATE_DATADIR', 'SCANGATE_LOG_LEVEL'])).toBe('SCANGATE_DATADIR');
  });

  it('then accepts up to two edits', () => {
    expect(suggest('alowTTL', keys)).toBe('allowTTL');
    expect(suggest('errorBackofMS', keys)).toBe('errorBackoffMs');
  });

  it('suggests nothing for unrelated or very short names', () => {
    expect(suggest('database', keys)).toBeUndefined();
    expect(suggest('ttl', keys)).toBeUndefined();
  });
});
