import { parseImageRef } from '@scangate/image-ref';
import { ImagePattern } from './image-pattern';
import { PolicyCompileError } from './policy-compile.error';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const matches = (pattern: string, image: string): boolean =>
  ImagePattern.compile(pattern).matches(parseImageRef(image));

describe('ImagePattern', () => {
  it.each([
    ['nginx', 'nginx:1.25', true],
    ['nginx', 'docker.io/library/nginx@' + DIGEST, true],
    ['nginx', 'nginx-evil:1', false],
    ['nginx', 'other/nginx:1', false],
    ['nginx:1.*', 'nginx:1.25', true],
    ['nginx:1.*', 'nginx:2.0', false],
    ['nginx:latest', 'nginx', true],
    ['nginx:latest', `nginx@${DIGEST}`, false],
    [`nginx@${DIGEST}`, `nginx:1@${DIGEST}`, true],
    [`nginx@${DIGEST}`, 'nginx:1', false],
    ['team/*', 'team/app:1', true],
    ['team/*', 'team/app/sub:1', false],
    ['team/**', 'team/app/sub:1', true],
    ['team/*', 'teamevil/app:1', false],
    ['registry.example.com/base/*', 'registry.example.com/base/alpine:3', true],
    ['registry.example.com/base/*', 'registry.example.com.evil.io/base/alpine:3', false],
    ['*.example.com/**', 'eu.example.com/a/b:1', true],
    ['*.example.com/**', 'eu.example.com.evil.io/a/b:1', false],
    ['localhost:5000/app', 'localhost:5000/app:1', true],
  ])('%s vs %s → %s', (pattern, image, expected) => {
    expect(matches(pattern, image)).toBe(expected);
  });

  it('treats regular-expression characters literally', () => {
    expect(matches('registry.example.com/app', 'registryxexample.com/app:1')).toBe(false);
  });

  it('reports every bad pattern with its key', () => {
    const compile = (): unknown => ImagePattern.compileAll(['ok', '', 'x@sha256:zz', 'x:'], 'policy.deniedImages');
    expect(compile).toThrow(PolicyCompileError);
    const error = captureError(compile) as PolicyCompileError;
    expect(error.problems.map((p) => p.split(':')[0])).toEqual([
      'policy.deniedImages[1]',
      'policy.deniedImages[2]',
      'policy.deniedImages[3]',
    ]);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
