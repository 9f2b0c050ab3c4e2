import type { ClairConfig } from '@scangate/config';
import type { AnalysisQueue, EnqueueResult } from '@scangate/queue';
import type { AnalysisSubject } from '@scangate/verdicts';
import { MemoryVerdictStore } from '@scangate/verdicts';
import axios, { type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { ClairNotifications } from './clair-notifications.service';

// The receiver's logic against scripted Clair notifier answers and the in-memory verdict store
// (delivery by a real Clair is in test/clair-webhook.e2e.spec.ts).

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const config: ClairConfig = {
  url: 'http://clair.test:6060',
  issuer: 'scangate',
  maxSeverity: 'High',
  maxUnfixedSeverity: 'Critical',
  ignore: [],
  platform: 'linux/amd64',
  indexTimeoutMs: 60_000,
  notifier: { header: 'X-Scangate-Notifier-Token', token: 'secret', pageSize: 2 },
};
const identity = { name: 'clair', fingerprint: 'f1' };

class RecordingQueue implements AnalysisQueue {
  readonly subjects: AnalysisSubject[] = [];
  enqueue(subject: AnalysisSubject): Promise<EnqueueResult> {
    this.subjects.push(subject);
    return Promise.resolve({ jobId: String(this.subjects.length), created: true });
  }
  status(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
  counts(): Promise<never> {
    return Promise.reject(new Error('unused'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Clair's notifier: two pages for notification `n1`, then (after DELETE) an empty page. */
function clairNotifier() {
  const calls: string[] = [];
  let deleted = false;
  const http = axios.create({
    adapter: (request: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      const url = new URL(request.url ?? '');
      calls.push(`${request.method?.toUpperCase()} ${url.host}${url.pathname}${url.search}`);
      const next = url.searchParams.get('next');
      let data: unknown = { page: { size: 2 }, notifications: [] };
      if (request.method === 'delete') deleted = true;
      else if (!deleted && next === null) {
        data = {
          page: { size: 2, next: 'p2' },
          notifications: [
            { id: '1', manifest: D('a'), reason: 'added' },
            { id: '2', manifest: D('p'), reason: 'added' },
          ],
        };
      } else if (!deleted && next === 'p2') {
        data = { page: { size: 2 }, notifications: [{ id: '3', manifest: D('a'), reason: 'removed' }] };
      }
      return Promise.resolve({ status: 200, statusText: '', data, headers: {}, config: request });
    },
  });
  return { http, calls };
}

async function storeWithVerdicts(): Promise<MemoryVerdictStore> {
  const store = new MemoryVerdictStore({
    lifetimes: { allowTTL: 3600, denyTTL: 3600, tagTTL: 3600, errorBackoffMs: 0 },
  });
  const analyzedAt = Date.now();
  // A single-manifest image, a multi-arch image whose amd64 manifest is D('p'), and a bystander.
  await store.putVerdict({
    digest: D('a'),
    analyzer: 'clair',
    fingerprint: 'f1',
    allowed: true,
    repositories: ['r.test/a'],
    analyzedAt,
  });
  await store.putVerdict({
    digest: D('i'),
    analyzer: 'clair',
    fingerprint: 'f1',
    allowed: true,
    repositories: ['r.test/m'],
    platformDigests: [D('p')],
    analyzedAt,
  });
  await store.putVerdict({
    digest: D('b'),
    analyzer: 'clair',
    fingerprint: 'f1',
    allowed: true,
    repositories: ['r.test/b'],
    analyzedAt,
  });
  await store.putTagDigest('r.test/a:1', D('a'));
  return store;
}

describe('ClairNotifications', () => {
  it('reads every page from analyzer.clair.url, drops the affected verdicts (platform digests too), re-queues them, deletes', async () => {
    const store = await storeWithVerdicts();
    const queue = new RecordingQueue();
    const { http, calls } = clairNotifier();
    const notifications = new ClairNotifications(
      config,
      { requestTimeoutMs: 1000, retries: 0 },
      store,
      queue,
      identity,
      http,
    );

    expect(await notifications.deliver('n1')).toEqual({
      notificationId: 'n1',
      found: true,
      manifests: 2,
      flushed: { verdicts: 2, tags: 1 },
      requeued: 2,
    });
    expect(calls).toEqual([
      'GET clair.test:6060/notifier/api/v1/notification/n1?page_size=2',
      'GET clair.test:6060/notifier/api/v1/notification/n1?page_size=2&next=p2',
      'DELETE clair.test:6060/notifier/api/v1/notification/n1',
    ]);
    expect(queue.subjects.map((s) => s.reference).sort()).toEqual([`r.test/a@${D('a')}`, `r.test/m@${D('i')}`]);
    expect((await store.listVerdicts({ kind: 'all' }, 10)).map((v) => v.digest)).toEqual([D('b')]);

    // Clair delivers again (our 200 was lost): nothing left to do, and still a 200.
    expect(await notifications.deliver('n1')).toMatchObject({ found: false, manifests: 0, requeued: 0 });
  });

  it('compares the notifier token in constant time and refuses an absent one', () => {
    const notifications = new ClairNotifications(
      config,
      { requestTimeoutMs: 1000, retries: 0 },
      new MemoryVerdictStore({ lifetimes: { allowTTL: 1, denyTTL: 1, tagTTL: 1, errorBackoffMs: 0 } }),
    );
    expect(notifications.enabled).toBe(true);
    expect(notifications.authenticates('secret')).toBe(true);
    expect(notifications.authenticates('secret2')).toBe(false);
    expect(notifications.authenticates(undefined)).toBe(false);
    const off = new ClairNotifications(
      { ...config, notifier: { ...config.notifier, token: undefined } },
      { requestTimeoutMs: 1000, retries: 0 },
      new MemoryVerdictStore({ lifetimes: { allowTTL: 1, denyTTL: 1, tagTTL: 1, errorBackoffMs: 0 } }),
    );
    expect(off.enabled).toBe(false);
    expect(off.authenticates('')).toBe(false);
  });
});
