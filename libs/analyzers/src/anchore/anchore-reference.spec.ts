import { parseImageRef } from '@scangate/image-ref';
import { anchorePullString, anchoreRepository, anchoreTag } from './anchore-reference';

const DIGEST = `sha256:${'b'.repeat(64)}`;

describe('Anchore spelling of references', () => {
  it.each([
    ['nginx', 'docker.io/nginx', 'docker.io/nginx:latest'],
    ['docker.io/library/nginx:1.25', 'docker.io/nginx', 'docker.io/nginx:1.25'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis', 'docker.io/bitnami/redis:7'],
    ['docker.io/library/team/app:1', 'docker.io/library/team/app', 'docker.io/library/team/app:1'],
    ['localhost:5000/app:2', 'localhost:5000/app', 'localhost:5000/app:2'],
    ['ghcr.io/library/x:1', 'ghcr.io/library/x', 'ghcr.io/library/x:1'],
    [`registry.example.com/app@${DIGEST}`, 'registry.example.com/app', 'registry.example.com/app:latest'],
    [`quay.io/org/app:3@${DIGEST}`, 'quay.io/org/app', 'quay.io/org/app:3'],
  ])('%s → %s, tag %s', (input, repository, tag) => {
    const ref = parseImageRef(input);
    expect(anchoreRepository(ref)).toBe(repository);
    expect(anchoreTag(ref)).toBe(tag);
    expect(anchorePullString(ref, DIGEST)).toBe(`${repository}@${DIGEST}`);
  });
});
