import { createHmac } from 'node:crypto';
import { ClairPskToken } from './clair-psk-token';

const PSK = Buffer.from('a shared secret of some length').toString('base64');

function decode(authorization: string): { header: unknown; claims: Record<string, number | string>; valid: boolean } {
  const [h = '', c = '', s = ''] = authorization.replace(/^Bearer /, '').split('.');
  const expected = createHmac('sha256', Buffer.from(PSK, 'base64')).update(`${h}.${c}`).digest('base64url');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, number | string>,
    valid: s === expected,
  };
}

describe('ClairPskToken', () => {
  it('signs HS256 with the decoded key, the configured issuer and a five-minute lifetime', () => {
    const token = new ClairPskToken(PSK, 'scangate', () => 1_700_000_000_000);
    const { header, claims, valid } = decode(token.authorization());
    expect(valid).toBe(true);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims).toEqual({ iss: 'scangate', iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_300 });
  });

  it('reuses a token until a minute before it expires', () => {
    let now = 1_700_000_000_000;
    const token = new ClairPskToken(PSK, 'scangate', () => now);
    const first = token.authorization();
    now += 239_000;
    expect(token.authorization()).toBe(first);
    now += 1_000;
    expect(token.authorization()).not.toBe(first);
  });
});
