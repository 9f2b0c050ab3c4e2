import { decodeEvent, encodeEvent, type StoreEvent } from './store-events';
import { decodeMemo, decodeVerdict, encodeVerdict, storedVerdict } from './stored-values';

describe('store events', () => {
  it.each<StoreEvent>([
    { type: 'outcome', subject: 'ab', outcome: { kind: 'verdict', digest: 'sha256:a' } },
    { type: 'outcome', subject: 'ab', outcome: { kind: 'failed', reason: 'registry 503' } },
    { type: 'flush', event: { filter: { kind: 'all' } } },
    { type: 'flush', event: { filter: { kind: 'tag', repository: 'r', tag: 't' }, digest: 'sha256:a' } },
    { type: 'flush', event: { filter: { kind: 'repository', repository: 'r' } } },
    { type: 'flush', event: { filter: { kind: 'digest', digest: 'sha256:a' } } },
  ])('round-trips %j', (event) => {
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  it.each([
    'not json',
    'null',
    '[]',
    '{"type":"outcome","subject":"ab","outcome":{"kind":"verdict"}}',
    '{"type":"outcome","subject":1,"outcome":{"kind":"failed","reason":"x"}}',
    '{"type":"flush","event":{"filter":{"kind":"tag","repository":"r"}}}',
    '{"type":"flush","event":{"filter":{"kind":"everything"}}}',
    '{"type":"other"}',
  ])('ignores %s', (message) => {
    expect(decodeEvent(message)).toBeUndefined();
  });
});

describe('stored values', () => {
  const verdict = storedVerdict(
    {
      digest: 'sha256:a',
      analyzer: 'clair',
      fingerprint: 'f',
      allowed: false,
      reason: 'CVE',
      repositories: ['r'],
      analyzedAt: 1,
    },
    2,
  );

  it('round-trips a verdict and freezes the stored copy', () => {
    expect(decodeVerdict(encodeVerdict(verdict))).toEqual(verdict);
    expect(Object.isFrozen(verdict)).toBe(true);
    expect(Object.isFrozen(verdict.repositories)).toBe(true);
  });

  it('treats anything of another shape as absent', () => {
    expect(decodeVerdict(null)).toBeUndefined();
    expect(decodeVerdict('{')).toBeUndefined();
    expect(decodeVerdict(JSON.stringify({ ...verdict, allowed: 'yes' }))).toBeUndefined();
    expect(decodeVerdict(JSON.stringify({ ...verdict, repositories: [1] }))).toBeUndefined();
    expect(decodeMemo('{"reference":"r"}')).toBeUndefined();
    expect(decodeMemo('{"reference":"r","digest":"d"}')).toEqual({ reference: 'r', digest: 'd' });
  });
});
