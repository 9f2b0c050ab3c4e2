import { forbiddenAddressReason, ipv6Bytes } from './address-ranges';

describe('forbiddenAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.0.1', 'private (RFC 1918)'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT (RFC 6598)'],
    ['100.127.255.255', 'carrier-grade NAT (RFC 6598)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved / broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique local (ULA)'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback (IPv4-mapped 127.0.0.1)'],
    ['::ffff:7f00:1', 'loopback (IPv4-mapped 127.0.0.1)'],
    ['::ffff:0:10.0.0.1', 'private (RFC 1918) (IPv4-translated 10.0.0.1)'],
    ['64:ff9b::a9fe:a9fe', 'link-local (cloud metadata) (NAT64 169.254.169.254)'],
    ['2002:7f00:1::', 'loopback (6to4 127.0.0.1)'],
    ['::127.0.0.1', 'loopback (IPv4-compatible 127.0.0.1)'],
    ['[::1]', 'loopback'],
    ['fe80::1%eth0', 'scoped (zone) address'],
    ['not-an-ip', 'not an IP address'],
  ])('%s is %s', (address, reason) => {
    expect(forbiddenAddressReason(address)).toBe(reason);
  });

  it.each([
    '8.8.8.8',
    '100.63.255.255',
    '100.128.0.0',
    '172.32.0.1',
    '169.253.1.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::',
  ])('%s is public', (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });

  it('parses IPv6 forms to 16 bytes', () => {
    expect(ipv6Bytes('::1')).toEqual([...Array<number>(15).fill(0), 1]);
    expect(ipv6Bytes('::ffff:1.2.3.4')?.slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(ipv6Bytes('1:2:3:4:5:6:7:8')).toHaveLength(16);
    expect(ipv6Bytes('1.2.3.4')).toBeUndefined();
  });
});
