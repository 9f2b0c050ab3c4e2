import {
  base64,
  dns1123Label,
  headerToken,
  hostPort,
  httpUrl,
  labelValue,
  namespacePattern,
  platform,
  qualifiedName,
  redisUrl,
} from './formats';

describe('formats', () => {
  it.each([
    [
      dns1123Label,
      ['kube-system', 'a', '0abc', 'a'.repeat(63)],
      ['Kube', '-a', 'a-', 'a_b', '', 'a'.repeat(64), 'a.b'],
    ],
    [namespacePattern, ['team-*', '*', '*-dev', 'ns'], ['Team-*', '', 'a/b']],
    [
      qualifiedName,
      ['scangate.io/break-glass', 'break-glass', 'a.b.c/X_y.z', 'app.kubernetes.io/name'],
      ['', '/x', 'x/', 'Upper.io/x', 'a/b/c', 'x y', `${'a'.repeat(254)}/x`, `x/${'a'.repeat(64)}`],
    ],
    [labelValue, ['', 'dev', 'v1.2_3-x'], ['-dev', 'a b', 'a'.repeat(64)]],
    [
      hostPort,
      ['registry', 'registry:5000', '10.0.0.1', '[::1]:5000', 'my.registry.example.com:443'],
      ['http://r', 'r/path', 'r:0', 'r:70000', 'r:', ''],
    ],
    [httpUrl, ['http://a', 'https://a.example.com:8443/base'], ['ftp://a', 'a:80', 'http://', '']],
    [redisUrl, ['redis://r', 'rediss://:p@r:6380/2'], ['http://r', 'redis+sentinel://s', 'redis:']],
    [base64, ['c2VjcmV0', 'YQ==', 'ab+/'], ['abc', 'a b=', 'YQ=a', '']],
    [headerToken, ['abc-DEF_123.~+/='], ['a b', 'tab\t', 'é', '']],
    [platform, ['linux/amd64', 'linux/arm64/v8', 'windows/amd64'], ['amd64', 'linux/', 'Linux/amd64']],
  ])('%#: accepts and refuses', (format, good, bad) => {
    for (const value of good) expect([value, format.test(value)]).toEqual([value, true]);
    for (const value of bad) expect([value, format.test(value)]).toEqual([value, false]);
  });
});
