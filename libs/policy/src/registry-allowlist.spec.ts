import { parseImageRef } from '@scangate/image-ref';
import { PolicyCompileError } from './policy-compile.error';
import { RegistryAllowlist } from './registry-allowlist';

const allows = (entries: string[], image: string): boolean =>
  RegistryAllowlist.compile(entries, 'policy.allowedRegistries').allows(parseImageRef(image));

describe('RegistryAllowlist', () => {
  it('allows any registry when the list is empty', () => {
    expect(allows([], 'evil.example.org/x:1')).toBe(true);
  });

  it.each([
    ['registry.example.com', 'registry.example.com/app:1', true],
    ['registry.example.com', 'registry.example.com.evil.io/app:1', false],
    ['registry.example.com', 'evilregistry.example.com/app:1', false],
    ['registry.example.com', 'registry.example.com:5000/app:1', false],
    ['registry.example.com:5000', 'registry.example.com:5000/app:1', true],
    ['registry.example.com:5000', 'registry.example.com:50001/app:1', false],
    ['REGISTRY.example.com', 'registry.example.com/app:1', true],
    ['docker.io/mycompany', 'docker.io/mycompany/app:1', true],
    ['docker.io/mycompany', 'mycompany/app:1', true],
    ['docker.io/mycompany', 'index.docker.io/mycompany/app:1', true],
    ['docker.io/mycompany', 'docker.io/mycompanyevil/app:1', false],
    ['docker.io/mycompany', 'mycompanyevil/app:1', false],
    ['docker.io/mycompany', 'nginx:1.25', false],
    ['docker.io/library', 'nginx:1.25', true],
    ['docker.io', 'nginx:1.25', true],
    ['index.docker.io', 'nginx:1.25', true],
    ['*.example.com', 'eu.example.com/app:1', true],
    ['*.example.com', 'a.b.example.com/app:1', true],
    ['*.example.com', 'example.com/app:1', false],
    ['*.example.com', 'evilexample.com/app:1', false],
    ['*.example.com', 'eu.example.com.evil.io/app:1', false],
    ['localhost:5000', 'localhost:5000/app:1', true],
    ['[::1]:5000', '[::1]:5000/app:1', true],
    ['[::1]:5000', '[::1]:5001/app:1', false],
  ])('entry %s vs %s → %s', (entry, image, expected) => {
    expect(allows([entry], image)).toBe(expected);
  });

  it('names every bad entry with its key', () => {
    let caught: unknown;
    try {
      RegistryAllowlist.compile(
        ['ok.example.com', 'https://x.example.com', 'a*.example.com', ' '],
        'policy.allowedRegistries',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyCompileError);
    const problems = (caught as PolicyCompileError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('policy.allowedRegistries[1]');
    expect(problems[1]).toContain('policy.allowedRegistries[2]');
    expect(problems[2]).toContain('policy.allowedRegistries[3]');
  });
});
