import { KUBE_FIXTURE_NAMES, fixtureReview, imageReview, kubeObject } from './fixtures/kube';
import { assertAdmissionReviewResponse, assertImageReviewResponse } from './harness/kube-schemas';
import { setAtPath } from './harness/json-path';
import { SeededRandom, mutateReview } from './harness/review-mutator';
import type { TestWebhook } from './harness/webhook-harness';
import { startTestWebhook } from './harness/webhook-harness';

const REVIEWS = 20_000;
const CONCURRENCY = 8;
const SEED = 20261123;

/**
 * Mutated reviews over real HTTPS: the server must answer every one with 200 (a valid review,
 * uid echoed) or a 4xx with a reason, never crash, hang or 5xx, and still decide correctly after.
 */
describe(`fuzz: ${REVIEWS} mutated reviews`, () => {
  let server: TestWebhook;
  beforeAll(async () => {
    server = await startTestWebhook();
  });
  afterAll(() => server.stop());

  it('answers each with 200 or a 4xx with a reason, then still decides correctly', async () => {
    const random = new SeededRandom(SEED);
    const bases: { body: object; endpoint: string }[] = [
      ...KUBE_FIXTURE_NAMES.map((name) => ({ body: fixtureReview(name), endpoint: '/validate' })),
      ...KUBE_FIXTURE_NAMES.map((name) => ({
        body: fixtureReview(name, { version: 'v1beta1' }),
        endpoint: '/validate',
      })),
      {
        body: imageReview({
          images: ['nginx:1.27', 'busybox'],
          annotations: { 'a.image-policy.k8s.io/break-glass': 'x' },
        }),
        endpoint: '/imagereview',
      },
    ];
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;

    const worker = async (): Promise<void> => {
      while (sent < REVIEWS && failures.length < 5) {
        sent++;
        const base = random.pick(bases);
        const mutated = mutateReview(base.body, random);
        const res = await server.client.send(
          'POST',
          base.endpoint,
          mutated.text,
          mutated.contentType ? { 'content-type': mutated.contentType } : {},
        );
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problem = checkAnswer(res.status, res.text, base.endpoint, mutated.text);
        if (problem) failures.push(`${mutated.mutation}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(failures).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REVIEWS);
    expect(statuses.get(200)).toBeGreaterThan(REVIEWS / 4);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(415)).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();

    const deployment = kubeObject('deployment');
    setAtPath(deployment, 'spec.template.spec.containers[0].image', 'nginx:latest');
    const after = await server.client.post(
      '/validate',
      fixtureReview('deployment', { object: deployment, uid: 'after-fuzz' }),
    );
    expect(after.status).toBe(200);
    expect(after.json()).toMatchObject({ response: { uid: 'after-fuzz', allowed: false, status: { code: 403 } } });
  });
});

function checkAnswer(status: number, text: string, endpoint: string, sent: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `status ${status} with a non-JSON body`;
  }
  if (status === 200) {
    try {
      if (endpoint === '/imagereview') assertImageReviewResponse(body);
      else {
        const request = JSON.parse(sent) as { apiVersion: string; request: { uid: string } };
        assertAdmissionReviewResponse(body, request.apiVersion, request.request.uid);
      }
    } catch (error) {
      return `invalid 200 answer: ${(error as Error).message.slice(0, 300)}`;
    }
    return undefined;
  }
  if (![400, 413, 415].includes(status)) return `unexpected status ${status}: ${text.slice(0, 200)}`;
  const error = body as { code?: unknown; message?: unknown };
  return typeof error.code === 'string' && typeof error.message === 'string' && error.message !== ''
    ? undefined
    : `4xx without a reason: ${text.slice(0, 200)}`;
}
