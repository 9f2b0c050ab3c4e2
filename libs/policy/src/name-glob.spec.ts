import { nameMatches } from './name-glob';

describe('nameMatches', () => {
  it.each([
    ['kube-system', 'kube-system', true],
    ['kube-system', 'kube-*', true],
    ['kube-system-evil', 'kube-system', false],
    ['team-a', 'team-*', true],
    ['team', 'team-*', false],
    ['anything', '*', true],
    ['a-b-c', '*-c', true],
    ['a-b-c', 'a*b*c', true],
    ['abc', 'a*d', false],
  ])('%s vs %s → %s', (name, pattern, expected) => {
    expect(nameMatches(name, pattern)).toBe(expected);
  });
});
