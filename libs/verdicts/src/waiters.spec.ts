import { subjectKey } from './subject-key';
import { Waiters } from './waiters';

describe('Waiters', () => {
  const subject = { reference: 'docker.io/library/nginx:1.27', analyzer: 'clair', fingerprint: 'f1' };
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('wakes every waiter of a subject once, and only them', async () => {
    const waiters = new Waiters();
    const a = waiters.wait(subject, 10_000, 0);
    const b = waiters.wait(subject, 10_000, 0);
    const other = waiters.wait({ ...subject, fingerprint: 'f2' }, 10_000, 0);
    expect(waiters.size).toBe(3);
    waiters.wake(subjectKey(subject), { kind: 'verdict', digest: 'sha256:a' });
    waiters.wake(subjectKey(subject), { kind: 'failed', reason: 'late' });
    await expect(a.promise).resolves.toEqual({ kind: 'verdict', digest: 'sha256:a' });
    await expect(b.promise).resolves.toEqual({ kind: 'verdict', digest: 'sha256:a' });
    expect(waiters.size).toBe(1);
    expect(waiters.subjects()).toEqual([{ ...subject, fingerprint: 'f2' }]);
    waiters.endAll();
    await expect(other.promise).resolves.toBeUndefined();
    expect(waiters.size).toBe(0);
  });

  it('ends a wait at its deadline with a timer, not earlier', async () => {
    const waiters = new Waiters();
    let settled = false;
    const { promise } = waiters.wait(subject, 1500, 1000);
    void promise.then(() => {
      settled = true;
    });
    await jest.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    await expect(promise).resolves.toBeUndefined();
    expect(waiters.has(subjectKey(subject))).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('answers a deadline already passed at once, registering nothing', async () => {
    const waiters = new Waiters();
    await expect(waiters.wait(subject, 5, 10).promise).resolves.toBeUndefined();
    expect(waiters.size).toBe(0);
  });
});
