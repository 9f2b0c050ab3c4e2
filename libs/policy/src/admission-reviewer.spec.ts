import type { AdmissionConfig, PolicyConfig } from '@scangate/config';
import { loadConfig } from '@scangate/config';
import type { ImageRef } from '@scangate/image-ref';
import { ReviewDecodeError } from '@scangate/kube';
import { AdmissionReviewer } from './admission-reviewer';
import type { AnalysisContext, AnalysisOutcome, ImageAnalysisPort } from './image-analysis.port';
import { NoneAnalysis } from './image-analysis.port';

const DIGEST = `sha256:${'b'.repeat(64)}`;

// The documented defaults (PRODUCT.md §4), from the config library itself.
const { admission: ADMISSION, policy: POLICY } = loadConfig({ env: {} }).config;

function reviewer(
  admission: Partial<AdmissionConfig> = {},
  policy: Partial<PolicyConfig> = {},
  analysis: ImageAnalysisPort = new NoneAnalysis(),
): AdmissionReviewer {
  return new AdmissionReviewer(
    { admission: { ...ADMISSION, ...admission }, policy: { ...POLICY, ...policy } },
    analysis,
  );
}

function pod(images: string[], annotations: Record<string, string> = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'team-a', annotations },
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  };
}

function review(
  object: object | null,
  request: Record<string, unknown> = {},
  apiVersion = 'admission.k8s.io/v1',
): object {
  return {
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'team-a',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object,
      dryRun: false,
      ...request,
    },
  };
}

interface Answer {
  apiVersion: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

async function answer(r: AdmissionReviewer, body: object): Promise<Answer> {
  return (await r.reviewAdmission(body)).body as Answer;
}

/** A port that records what it was asked and answers from a table. */
class ScriptedAnalysis implements ImageAnalysisPort {
  readonly analyzer = 'scripted';
  readonly calls: { refs: string[]; context: AnalysisContext }[] = [];
  constructor(private readonly outcome: (ref: ImageRef) => AnalysisOutcome) {}
  async assess(refs: readonly ImageRef[], context: AnalysisContext): Promise<readonly AnalysisOutcome[]> {
    this.calls.push({ refs: refs.map((r) => r.canonical), context });
    return refs.map(this.outcome);
  }
}

describe('AdmissionReviewer', () => {
  it('denies nginx:latest with 403, naming image, path and rule, and echoes the uid', async () => {
    const res = await answer(reviewer(), review(pod(['nginx:latest'])));
    expect(res.apiVersion).toBe('admission.k8s.io/v1');
    expect(res.response.uid).toBe('uid-1');
    expect(res.response.allowed).toBe(false);
    expect(res.response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(res.response.status?.message).toContain('spec.containers[0].image ("nginx:latest")');
    expect(res.response.status?.message).toContain('[latest-tag]');
    expect(res.response.auditAnnotations).toMatchObject({ decision: 'denied', rules: 'latest-tag' });
  });

  it('answers in v1beta1 when asked in v1beta1', async () => {
    const res = await answer(reviewer(), review(pod(['nginx:1.25']), {}, 'admission.k8s.io/v1beta1'));
    expect(res.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(res.response.allowed).toBe(true);
  });

  it('denies untagged images but not digest-pinned ones', async () => {
    expect((await answer(reviewer(), review(pod(['nginx'])))).response.status?.message).toContain('[untagged]');
    expect((await answer(reviewer(), review(pod([`nginx@${DIGEST}`])))).response.allowed).toBe(true);
    expect((await answer(reviewer(), review(pod([`nginx:latest@${DIGEST}`])))).response.allowed).toBe(true);
  });

  it('requires a digest when configured', async () => {
    const r = reviewer({}, { tags: { denyLatest: true, requireDigest: true } });
    expect((await answer(r, review(pod(['nginx:1.25'])))).response.status?.message).toContain('[digest-required]');
    expect((await answer(r, review(pod([`nginx:1.25@${DIGEST}`])))).response.allowed).toBe(true);
  });

  it('denies a malformed reference with the parser reason', async () => {
    const res = await answer(reviewer(), review(pod(['Nginx:1'])));
    expect(res.response.allowed).toBe(false);
    expect(res.response.status?.message).toContain('[malformed-reference]');
    expect(res.response.status?.message).toMatch(/uppercase|invalid/i);
  });

  it('applies allowed registries on a host boundary', async () => {
    const r = reviewer({}, { allowedRegistries: ['registry.example.com', 'docker.io/mycompany'] });
    expect((await answer(r, review(pod(['registry.example.com/app:1'])))).response.allowed).toBe(true);
    expect((await answer(r, review(pod(['mycompany/app:1'])))).response.allowed).toBe(true);
    const evil = await answer(r, review(pod(['registry.example.com.evil.io/app:1', 'mycompanyevil/app:1'])));
    expect(evil.response.allowed).toBe(false);
    expect(evil.response.status?.message).toContain('2 policy violations');
    expect(evil.response.status?.message).toContain('[registry-not-allowed]');
  });

  it('denied patterns win; allowed patterns skip analysis only', async () => {
    const analysis = new ScriptedAnalysis(() => ({ kind: 'verdict', allowed: false, reason: 'CVE-1' }));
    const r = reviewer({}, { deniedImages: ['evil/*'], allowedImages: ['registry.example.com/base/*'] }, analysis);
    expect((await answer(r, review(pod(['evil/app:1'])))).response.status?.message).toContain('[image-denied]');
    expect((await answer(r, review(pod(['registry.example.com/base/alpine:3'])))).response.allowed).toBe(true);
    expect(analysis.calls).toHaveLength(0);
    const scanned = await answer(r, review(pod(['registry.example.com/app:1'])));
    expect(scanned.response.status?.message).toContain('[analysis-denied]');
    expect(scanned.response.status?.message).toContain('CVE-1');
  });

  it('warn mode allows with warnings of at most 120 characters; audit allows silently', async () => {
    const long = `registry.example.com/${'a'.repeat(150)}:latest`;
    const warn = await answer(reviewer({ mode: 'warn' }), review(pod(['nginx:latest', long])));
    expect(warn.response.allowed).toBe(true);
    expect(warn.response.status).toBeUndefined();
    expect(warn.response.warnings).toHaveLength(2);
    for (const w of warn.response.warnings ?? []) expect(w.length).toBeLessThanOrEqual(120);
    expect(warn.response.auditAnnotations?.['decision']).toBe('warned');

    const audit = await answer(reviewer({ mode: 'audit' }), review(pod(['nginx:latest'])));
    expect(audit.response.allowed).toBe(true);
    expect(audit.response.warnings).toBeUndefined();
    expect(audit.response.auditAnnotations).toMatchObject({ decision: 'audited', rules: 'latest-tag' });
  });

  it('per-namespace overrides change mode and policy', async () => {
    const r = reviewer({
      namespaces: [
        { names: ['team-*'], labels: {}, mode: 'warn' },
        { names: ['strict'], labels: {}, policy: { tags: { denyLatest: true, requireDigest: true } } },
      ],
    });
    expect((await answer(r, review(pod(['nginx:latest'])))).response.allowed).toBe(true);
    const strict = await answer(r, review(pod(['nginx:1.25']), { namespace: 'strict' }));
    expect(strict.response.status?.message).toContain('[digest-required]');
  });

  it('exempt namespaces come from config only, never from the object', async () => {
    const exempt = await answer(reviewer(), review(pod(['nginx:latest']), { namespace: 'kube-system' }));
    expect(exempt.response.allowed).toBe(true);
    expect(exempt.response.auditAnnotations?.['decision']).toBe('exempt');
    const labelled = pod(['nginx:latest']) as { metadata: Record<string, unknown> };
    labelled.metadata['labels'] = { 'scangate.io/exempt': 'true' };
    labelled.metadata['namespace'] = 'kube-system';
    expect((await answer(reviewer(), review(labelled))).response.allowed).toBe(false);
  });

  it('break-glass allows, warns and annotates; disabled it does nothing', async () => {
    const object = pod(['nginx:latest'], { 'scangate.io/break-glass': 'INC-42 outage' });
    const outcome = await reviewer().reviewAdmission(review(object));
    const res = outcome.body as Answer;
    expect(res.response.allowed).toBe(true);
    expect(res.response.warnings?.[0]).toContain('break-glass');
    expect(res.response.auditAnnotations).toMatchObject({ decision: 'break-glass', 'break-glass': 'INC-42 outage' });
    expect(outcome.record.breakGlass).toBe('INC-42 outage');
    const off = reviewer({ breakGlass: { enabled: false, annotation: 'scangate.io/break-glass' } });
    expect((await answer(off, review(object))).response.allowed).toBe(false);
  });

  it('break-glass on a Deployment counts on the object or its Pod template, not elsewhere', async () => {
    const deployment = (where: 'object' | 'template' | 'container'): object => {
      const glass = { 'scangate.io/break-glass': 'INC-43' };
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', annotations: where === 'object' ? glass : {} },
        spec: {
          template: {
            metadata: { annotations: where === 'template' ? glass : {} },
            spec: {
              containers: [
                { name: 'c', image: 'nginx:latest', ...(where === 'container' ? { annotations: glass } : {}) },
              ],
            },
          },
        },
      };
    };
    const request = {
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    };
    expect((await answer(reviewer(), review(deployment('object'), request))).response.allowed).toBe(true);
    expect((await answer(reviewer(), review(deployment('template'), request))).response.allowed).toBe(true);
    expect((await answer(reviewer(), review(deployment('container'), request))).response.allowed).toBe(false);
  });

  it('leaves DELETE, CONNECT and other subresources untouched', async () => {
    for (const request of [
      { operation: 'DELETE', object: null, oldObject: pod(['nginx:latest']) },
      { operation: 'CONNECT', subResource: 'exec', object: { kind: 'PodExecOptions' } },
      { operation: 'UPDATE', subResource: 'status' },
    ]) {
      const res = await answer(reviewer(), review(pod(['nginx:latest']), request));
      expect(res.response.allowed).toBe(true);
      expect(res.response.auditAnnotations?.['decision']).toBe('skipped');
    }
  });

  it('evaluates UPDATE on the new object', async () => {
    const res = await answer(
      reviewer(),
      review(pod(['nginx:latest']), { operation: 'UPDATE', oldObject: pod(['nginx:1.25']) }),
    );
    expect(res.response.allowed).toBe(false);
  });

  it('evaluates dryRun and tells the analysis port it is one', async () => {
    const analysis = new ScriptedAnalysis(() => ({ kind: 'verdict', allowed: true }));
    const res = await answer(reviewer({}, {}, analysis), review(pod(['nginx:1.25', 'nginx:latest']), { dryRun: true }));
    expect(res.response.allowed).toBe(false);
    expect(analysis.calls).toEqual([
      { refs: ['docker.io/library/nginx:1.25'], context: expect.objectContaining({ dryRun: true }) },
    ]);
  });

  it('asks once per distinct image', async () => {
    const analysis = new ScriptedAnalysis(() => ({ kind: 'verdict', allowed: true }));
    await answer(reviewer({}, {}, analysis), review(pod(['nginx:1.25', 'docker.io/library/nginx:1.25', 'redis:7'])));
    expect(analysis.calls[0]?.refs).toEqual(['docker.io/library/nginx:1.25', 'docker.io/library/redis:7']);
  });

  it('onPending and onError decide when there is no verdict', async () => {
    const pending = new ScriptedAnalysis(() => ({ kind: 'pending' }));
    const denied = await answer(reviewer({}, {}, pending), review(pod(['nginx:1.25'])));
    expect(denied.response.status?.message).toContain('is being analysed');
    const allowed = await answer(reviewer({ onPending: 'allow' }, {}, pending), review(pod(['nginx:1.25'])));
    expect(allowed.response.allowed).toBe(true);
    expect(allowed.response.warnings?.[0]).toContain('analysis-pending');

    const failing = new ScriptedAnalysis(() => ({ kind: 'error', reason: 'scanner unreachable' }));
    expect((await answer(reviewer({}, {}, failing), review(pod(['nginx:1.25'])))).response.status?.message).toContain(
      'scanner unreachable',
    );
    expect(
      (await answer(reviewer({ onError: 'allow' }, {}, failing), review(pod(['nginx:1.25'])))).response.allowed,
    ).toBe(true);
  });

  it('answers a failing analysis port with onError, still echoing the uid', async () => {
    const broken: ImageAnalysisPort = {
      analyzer: 'broken',
      assess: () => Promise.reject(new Error('boom')),
    };
    const res = await answer(reviewer({}, {}, broken), review(pod(['nginx:1.25'])));
    expect(res.response).toMatchObject({ uid: 'uid-1', allowed: false });
    expect(res.response.status?.message).toContain('boom');
  });

  it('throws ReviewDecodeError for a malformed envelope', async () => {
    await expect(
      reviewer().reviewAdmission({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
    ).rejects.toBeInstanceOf(ReviewDecodeError);
  });

  it('bounds the denial of a Pod with 10,000 bad containers', async () => {
    const images = Array.from({ length: 10_000 }, (_, i) => `registry.example.com/app${i}:latest`);
    const res = await answer(reviewer(), review(pod(images)));
    expect(res.response.allowed).toBe(false);
    expect(res.response.status?.message).toContain('10000 policy violations');
    expect(res.response.status?.message).toContain('… and 9980 more');
    expect(res.response.status?.message.length).toBeLessThan(8 * 1024);
  });
});

describe('AdmissionReviewer.reviewImages (ImagePolicyWebhook)', () => {
  const imageReview = (images: string[], annotations: Record<string, string> = {}, namespace = 'team-a'): object => ({
    apiVersion: 'imagepolicy.k8s.io/v1alpha1',
    kind: 'ImageReview',
    spec: { containers: images.map((image) => ({ image })), annotations, namespace },
  });

  it('denies with a reason and allows clean images', async () => {
    const denied = (await reviewer().reviewImages(imageReview(['nginx:latest']))).body as {
      status: { allowed: boolean; reason?: string };
    };
    expect(denied.status.allowed).toBe(false);
    expect(denied.status.reason).toContain('spec.containers[0].image');
    const allowed = (await reviewer().reviewImages(imageReview(['nginx:1.25']))).body as {
      status: { allowed: boolean };
    };
    expect(allowed.status.allowed).toBe(true);
  });

  it('honours *.image-policy.k8s.io/break-glass', async () => {
    const outcome = await reviewer().reviewImages(
      imageReview(['nginx:latest'], { 'mycluster.image-policy.k8s.io/break-glass': 'true' }),
    );
    expect((outcome.body as { status: { allowed: boolean } }).status.allowed).toBe(true);
    expect(outcome.record.reason).toBe('break-glass');
  });
});
