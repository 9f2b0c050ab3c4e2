import { createHash } from 'node:crypto';
import { AnchoreSimulator, DEFAULT_USER } from './harness/anchore-simulator';
import { anchoreValidators } from './harness/anchore-spec-deviations';

// The simulator answers as CONTRACTS.md §1 says the real servers do, and its validator catches
// requests and responses that break the saved specs (so "zero violations" in the adapter's tests
// means something).

const digestOf = (seed: string): string => `sha256:${createHash('sha256').update(seed).digest('hex')}`;
const BASIC = `Basic ${Buffer.from(`${DEFAULT_USER.username}:${DEFAULT_USER.password}`).toString('base64')}`;

async function call(
  sim: AnchoreSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: BASIC,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

const sims: AnchoreSimulator[] = [];
async function start(flavour: 'v1' | 'v2', options: Partial<Parameters<typeof AnchoreSimulator.start>[0]> = {}) {
  const sim = await AnchoreSimulator.start({ flavour, ...options });
  sims.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.stop()));
});

describe('Anchore simulator: Engine v1', () => {
  it('answers /version (empty api) at the root and under /v1, and 401 with WWW-Authenticate without credentials', async () => {
    const sim = await start('v1');
    for (const path of ['/version', '/v1/version']) {
      expect((await call(sim, 'GET', path)).json).toMatchObject({ api: {}, service: { version: '1.1.0' } });
    }
    const denied = await fetch(`${sim.url}/v1/images`);
    expect(denied.status).toBe(401);
    expect(await denied.text()).toBe('Unauthorized');
    expect(denied.headers.get('www-authenticate')).toBe('basic realm="Authentication required"');
    expect(sim.violations).toEqual([]);
  });

  it('adds (array), looks up by fulltag (404 when unknown) and by digest, and moves analysis_status per lookup', async () => {
    const sim = await start('v1');
    const digest = digestOf('v1 add');
    expect((await call(sim, 'GET', '/v1/images?fulltag=docker.io/nginx:1.25')).status).toBe(404);
    const added = await call(sim, 'POST', '/v1/images', {
      source: { digest: { pullstring: `docker.io/nginx@${digest}`, tag: 'nginx:1.25' } },
    });
    expect(added.json).toMatchObject([
      {
        imageDigest: digest,
        parentDigest: digest,
        analysis_status: 'not_analyzed',
        image_detail: [{ fulltag: 'docker.io/nginx:1.25' }],
      },
    ]);
    const states: unknown[] = [];
    for (let i = 0; i < 4; i++)
      states.push(
        ((await call(sim, 'GET', `/v1/images/${digest}`)).json as [{ analysis_status: string }])[0].analysis_status,
      );
    expect(states).toEqual(['analysis_queued', 'analyzing', 'analyzed', 'analyzed']);
    expect((await call(sim, 'GET', '/v1/images?fulltag=nginx:1.25')).json).toMatchObject([{ imageDigest: digest }]);
    expect(sim.violations).toEqual([]);
  });

  it('check: 404 before analysis; then [{digest: {tag: [{status}]}}] keyed by the normalised tag', async () => {
    const sim = await start('v1', { progression: 'manual' });
    const digest = digestOf('v1 check');
    sim.seed({ digest, tag: 'docker.io/nginx:latest', status: 'analyzing' });
    const early = await call(sim, 'GET', `/v1/images/${digest}/check?tag=nginx`);
    expect([early.status, early.json]).toEqual([
      404,
      { message: 'image is not analyzed - analysis_status: analyzing', httpcode: 404, detail: { error_codes: [] } },
    ]);
    sim.setStatus(digest, 'analyzed');
    sim.setPolicy(digest, {
      kind: 'warn',
      findings: [{ gate: 'dockerfile', trigger: 'instruction', message: 'no HEALTHCHECK' }],
    });
    const checked = await call(sim, 'GET', `/v1/images/${digest}/check?tag=nginx&detail=true`);
    expect(checked.json).toMatchObject([
      { [digest]: { 'docker.io/nginx:latest': [{ status: 'pass', detail: { result: { final_action: 'warn' } } }] } },
    ]);
    sim.setPolicy(digest, { kind: 'no-evaluation' });
    const none = await call(sim, 'GET', `/v1/images/${digest}/check?tag=nginx`);
    expect(none.json).toEqual([
      {
        [digest]: {
          'docker.io/nginx:latest': [{ policyId: 'N/A', final_action: 'fail', last_evaluation: 'N/A', detail: {} }],
        },
      },
    ]);
    expect(sim.violations).toEqual([]);
  });

  it('x-anchore-account: an admin may act in another account, others get 403', async () => {
    const sim = await start('v1', {
      users: [DEFAULT_USER, { username: 'dev', password: 'pw', account: 'dev' }],
      accounts: ['team'],
    });
    const digest = digestOf('acct');
    await call(
      sim,
      'POST',
      '/v1/images',
      { source: { digest: { pullstring: `r.example/a@${digest}`, tag: 'r.example/a:1' } } },
      { 'x-anchore-account': 'team' },
    );
    expect((await call(sim, 'GET', `/v1/images/${digest}`, undefined, { 'x-anchore-account': 'team' })).status).toBe(
      200,
    );
    expect((await call(sim, 'GET', `/v1/images/${digest}`)).status).toBe(404);
    const dev = `Basic ${Buffer.from('dev:pw').toString('base64')}`;
    expect(
      (await call(sim, 'GET', `/v1/images/${digest}`, undefined, { authorization: dev, 'x-anchore-account': 'team' }))
        .status,
    ).toBe(403);
    expect(sim.violations).toEqual([]);
  });

  it('records requests that break the swagger: a missing required tag, a v2 parameter name, a misspelt body field', async () => {
    const sim = await start('v1');
    const digest = digestOf('bad requests');
    await call(sim, 'POST', '/v1/images', {
      source: { digest: { pull_string: `r.example/a@${digest}`, tag: 'r.example/a:1' } },
    });
    await call(sim, 'GET', `/v1/images/${digest}/check?policy_id=x`);
    expect(sim.violations).toEqual([
      "anchore-engine/apiext-swagger.yaml: POST /images: request body: /source/digest must have required property 'pullstring'",
      'anchore-engine/apiext-swagger.yaml: POST /images: request body: /source/digest must NOT have additional properties (pull_string)',
      'anchore-engine/apiext-swagger.yaml: GET /images/{imageDigest}/check: required query parameter tag is missing',
      'anchore-engine/apiext-swagger.yaml: GET /images/{imageDigest}/check: query parameter policy_id is not declared',
    ]);
  });
});

describe('Anchore simulator: Enterprise v2', () => {
  it('answers /version with api.version "2"; add answers one object; full_tag lists {items}', async () => {
    const sim = await start('v2');
    expect((await call(sim, 'GET', '/v2/version')).json).toMatchObject({ api: { version: '2' } });
    const digest = digestOf('v2 add');
    const added = await call(sim, 'POST', '/v2/images', {
      source: { digest: { pull_string: `docker.io/library/nginx@${digest}`, tag: 'docker.io/library/nginx:1' } },
    });
    expect(added.json).toMatchObject({
      image_digest: digest,
      parent_digest: digest,
      analysis_status: 'not_analyzed',
      image_detail: [{ full_tag: 'docker.io/library/nginx:1' }],
    });
    expect((await call(sim, 'GET', '/v2/images?full_tag=docker.io/library/nginx:1')).json).toMatchObject({
      items: [{ image_digest: digest }],
    });
    // Anchore does not add library/: `nginx:1` is another tag record (CONTRACTS §1.3).
    expect((await call(sim, 'GET', '/v2/images?full_tag=nginx:1')).json).toEqual({ items: [] });
    expect(sim.violations).toEqual([]);
  });

  it('check: one PolicyEvaluation with evaluations[] and stop findings', async () => {
    const sim = await start('v2', { progression: 'manual' });
    const digest = digestOf('v2 check');
    sim.seed({ digest, tag: 'r.example/app:1', status: 'analyzed' });
    sim.setPolicy(digest, {
      kind: 'fail',
      findings: [{ gate: 'vulnerabilities', trigger: 'package', message: 'CRITICAL CVE-1' }],
    });
    const checked = await call(sim, 'GET', `/v2/images/${digest}/check?tag=r.example/app:1`);
    expect(checked.json).toMatchObject({
      image_digest: digest,
      evaluated_tag: 'r.example/app:1',
      evaluations: [
        {
          status: 'fail',
          final_action: 'stop',
          details: { findings: [{ gate: 'vulnerabilities', trigger: 'package', action: 'stop' }] },
        },
      ],
    });
    expect(sim.violations).toEqual([]);
  });

  it('records what breaks the v2 specs: a v1 parameter name, a digest that is not sha256, an unknown route', async () => {
    const sim = await start('v2');
    await call(sim, 'GET', '/v2/images?fulltag=r.example/a:1');
    await call(sim, 'GET', '/v2/images/md5:abc');
    await call(sim, 'GET', '/v2/nowhere');
    const problems = sim.violations.map((v) =>
      v.replace(/^anchore-enterprise\/anchore-api-v2-swagger-([\d.]+)\.yaml: /, '$1 '),
    );
    expect(problems).toEqual([
      '2.0.0 GET /images: query parameter fulltag is not declared',
      '2.13.0 GET /images: query parameter fulltag is not declared',
      '2.0.0 GET /images/{image_digest}: path parameter image_digest="md5:abc": (root) must match pattern "^sha256:[a-fA-F0-9]{64}$"',
      '2.13.0 GET /images/{image_digest}: path parameter image_digest="md5:abc": (root) must match pattern "^sha256:[a-fA-F0-9]{64}$"',
      '2.0.0 GET /nowhere: no such operation in the spec',
      '2.13.0 GET /nowhere: no such operation in the spec',
    ]);
  });
});

describe('the spec validator', () => {
  it('checks responses too, allowing only the documented deviations', () => {
    const [v1] = anchoreValidators('v1');
    const [, v2] = anchoreValidators('v2');
    if (!v1 || !v2) throw new Error('validators missing');
    const getImage = v1.operationFor('GET', '/images/sha256:x');
    const getImageV2 = v2.operationFor('GET', '/images/sha256:x');
    if (!getImage || !getImageV2) throw new Error('operations missing');
    // analysis_queued: not in the enum, but the engine uses it (deviation).
    expect(
      v1.validateResponse(getImage, 200, 'application/json', [
        { imageDigest: 'sha256:x', analysis_status: 'analysis_queued' },
      ]),
    ).toEqual([]);
    expect(
      v1.validateResponse(getImage, 200, 'application/json', [
        { imageDigest: 'sha256:x', analysis_status: 'scanning' },
      ]),
    ).toHaveLength(1);
    expect(v1.validateResponse(getImage, 200, 'application/json', { imageDigest: 'sha256:x' })).toEqual([
      'anchore-engine/apiext-swagger.yaml: GET /images/{imageDigest} → 200: (root) must be array',
    ]);
    // nullable: analysis_status_detail may be null in v2.13; a number is still wrong.
    expect(
      v2.validateResponse(getImageV2, 200, 'application/json', {
        image_digest: 'sha256:x',
        analysis_status_detail: null,
      }),
    ).toEqual([]);
    expect(
      v2.validateResponse(getImageV2, 200, 'application/json', { image_digest: 'sha256:x', analysis_status_detail: 3 }),
    ).not.toEqual([]);
    // A status neither declared nor a documented deviation.
    expect(v2.validateResponse(getImageV2, 418, 'application/json', {})).toEqual([
      'anchore-enterprise/anchore-api-v2-swagger-2.13.0.yaml: GET /images/{image_digest} → 418: status not declared by the spec',
    ]);
  });
});
