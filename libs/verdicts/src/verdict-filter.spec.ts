import { digestOf, memoMatches, repositoryOf, verdictMatches } from './verdict-filter';
import type { Verdict } from './verdict.types';

describe('repositoryOf and digestOf', () => {
  it.each([
    ['docker.io/library/nginx:1.27', 'docker.io/library/nginx'],
    ['docker.io/library/nginx@sha256:abc', 'docker.io/library/nginx'],
    ['docker.io/library/nginx:1.27@sha256:abc', 'docker.io/library/nginx'],
    ['localhost:5000/app:v1', 'localhost:5000/app'],
    ['localhost:5000/app', 'localhost:5000/app'],
  ])('%s is in %s', (reference, repository) => {
    expect(repositoryOf(reference)).toBe(repository);
  });

  it('finds the pinned digest of a digest reference only', () => {
    expect(digestOf('docker.io/library/nginx@sha256:abc')).toBe('sha256:abc');
    expect(digestOf('localhost:5000/app:v1')).toBeUndefined();
  });
});

describe('filters', () => {
  const verdict: Verdict = {
    digest: 'sha256:a',
    analyzer: 'clair',
    fingerprint: 'f',
    allowed: true,
    repositories: ['docker.io/library/nginx', 'mirror.example.com/nginx'],
    analyzedAt: 0,
    expiresAt: 1,
  };

  it('match verdicts by repository membership, tag digest and digest', () => {
    expect(verdictMatches({ kind: 'all' }, verdict, undefined)).toBe(true);
    expect(verdictMatches({ kind: 'repository', repository: 'mirror.example.com/nginx' }, verdict, undefined)).toBe(
      true,
    );
    expect(verdictMatches({ kind: 'repository', repository: 'docker.io/library/ngin' }, verdict, undefined)).toBe(
      false,
    );
    expect(verdictMatches({ kind: 'tag', repository: 'x', tag: 'y' }, verdict, 'sha256:a')).toBe(true);
    expect(verdictMatches({ kind: 'tag', repository: 'x', tag: 'y' }, verdict, undefined)).toBe(false);
    expect(verdictMatches({ kind: 'digest', digest: 'sha256:b' }, verdict, undefined)).toBe(false);
  });

  it('match memos by their reference and digest', () => {
    const memo = { reference: 'localhost:5000/app:v1', digest: 'sha256:a' };
    expect(memoMatches({ kind: 'repository', repository: 'localhost:5000/app' }, memo)).toBe(true);
    expect(memoMatches({ kind: 'repository', repository: 'localhost:5000' }, memo)).toBe(false);
    expect(memoMatches({ kind: 'tag', repository: 'localhost:5000/app', tag: 'v1' }, memo)).toBe(true);
    expect(memoMatches({ kind: 'tag', repository: 'localhost:5000/app', tag: 'v2' }, memo)).toBe(false);
    expect(memoMatches({ kind: 'digest', digest: 'sha256:a' }, memo)).toBe(true);
  });
});
