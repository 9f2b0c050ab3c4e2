import { subjectKey } from './subject-key';

describe('subjectKey', () => {
  const subject = { reference: 'docker.io/library/nginx:1.27', analyzer: 'clair', fingerprint: 'f1' };

  it('is 64 hex characters: no ":" (BullMQ refuses it in job ids), fixed length', () => {
    expect(subjectKey(subject)).toMatch(/^[0-9a-f]{64}$/);
    expect(subjectKey({ ...subject, reference: `registry.example.com:5000/${'a/'.repeat(200)}b:tag` })).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it('is stable and differs with any of analyzer, fingerprint and reference', () => {
    expect(subjectKey({ ...subject })).toBe(subjectKey(subject));
    const keys = new Set([
      subjectKey(subject),
      subjectKey({ ...subject, analyzer: 'anchore' }),
      subjectKey({ ...subject, fingerprint: 'f2' }),
      subjectKey({ ...subject, reference: 'docker.io/library/nginx:1.26' }),
    ]);
    expect(keys.size).toBe(4);
  });

  it('cannot be confused by moving text between fields', () => {
    expect(subjectKey({ reference: 'b', analyzer: 'a', fingerprint: '' })).not.toBe(
      subjectKey({ reference: '', analyzer: 'a', fingerprint: 'b' }),
    );
  });
});
