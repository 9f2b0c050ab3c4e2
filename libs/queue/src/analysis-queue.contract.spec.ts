import {
  analysisDedupId,
  analysisJobId,
  analysisJobOptions,
  analysisQueuePrefix,
  isAnalysisJobId,
} from './analysis-queue.contract';

const subject = {
  reference: 'registry.example:5000/team/app@sha256:' + 'c'.repeat(64),
  analyzer: 'clair',
  fingerprint: 'f1',
};

describe('analysis queue contract', () => {
  it('derives a BullMQ-safe dedup id per subject (no colon, not an integer, stable)', () => {
    const id = analysisDedupId(subject);
    expect(id).not.toContain(':');
    expect(`${parseInt(id, 10)}`).not.toBe(id);
    expect(analysisDedupId({ ...subject })).toBe(id);
    expect(analysisDedupId({ ...subject, fingerprint: 'f2' })).not.toBe(id);
    expect(analysisDedupId({ ...subject, analyzer: 'anchore' })).not.toBe(id);
    expect(analysisDedupId({ ...subject, reference: 'docker.io/library/nginx:1' })).not.toBe(id);
  });

  it('gives every job its own id, prefixed by the dedup id and recognisable', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => analysisJobId(subject, 1_700_000_000_000)));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id.startsWith(`${analysisDedupId(subject)}-`)).toBe(true);
      expect(id).not.toContain(':');
      expect(isAnalysisJobId(id)).toBe(true);
    }
    expect(isAnalysisJobId('1')).toBe(false);
    expect(isAnalysisJobId('../etc')).toBe(false);
  });

  it('hash-tags the queue prefix for Redis Cluster unless it already has a tag', () => {
    expect(analysisQueuePrefix({ prefix: 'scangate' })).toBe('{scangate}');
    expect(analysisQueuePrefix({ prefix: '{sg}' })).toBe('{sg}');
    expect(analysisQueuePrefix({ prefix: 'prod-{sg}' })).toBe('prod-{sg}');
    expect(analysisQueuePrefix({ prefix: 'a{}b' })).toBe('{a{}b}');
  });

  it('retries with exponential backoff from cache.errorBackoffMs and keeps finished jobs bounded', () => {
    expect(analysisJobOptions({ errorBackoffMs: 500 })).toEqual({
      attempts: 5,
      backoff: { type: 'exponential', delay: 500, jitter: 0.2 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 86400, count: 1000 },
    });
  });
});
