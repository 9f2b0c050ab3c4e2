import { parseV1Check, parseV2Check } from './anchore-evaluation';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const HEADER = [
  'Image_Id',
  'Repo_Tag',
  'Trigger_Id',
  'Gate',
  'Trigger',
  'Check_Output',
  'Gate_Action',
  'Whitelisted',
  'Policy_Id',
];

function v1(evaluation: object, digest = DIGEST) {
  return [{ [digest]: { 'docker.io/nginx:1.25': [evaluation] } }];
}

function v1Detail(finalAction: string, rows: unknown[][]) {
  return {
    result: {
      final_action: finalAction,
      result: {
        img: { result: { header: HEADER, rows, row_count: rows.length, final_action: finalAction } },
        policy_data: [],
      },
    },
  };
}

describe('parseV1Check', () => {
  it('passes on status pass (final action go or warn) and fails on fail', () => {
    expect(parseV1Check(v1({ status: 'pass', policyId: 'p1', detail: {} }), DIGEST)).toEqual({
      passed: true,
      findings: [],
      policyId: 'p1',
    });
    expect(parseV1Check(v1({ status: 'fail', policyId: 'p1', detail: {} }), DIGEST)).toMatchObject({
      passed: false,
      policyId: 'p1',
    });
  });

  it('treats an element without status (no stored evaluation) as a fail', () => {
    const outcome = parseV1Check(
      v1({ policyId: 'N/A', final_action: 'fail', last_evaluation: 'N/A', detail: {} }),
      DIGEST,
    );
    expect(outcome).toEqual({
      passed: false,
      findings: [],
      finalAction: 'fail',
      note: 'Anchore holds no policy evaluation for the image (no status)',
    });
  });

  it('reads stop rows of the detail table, by column name, skipping whitelisted ones', () => {
    const rows = [
      ['img', 't', 'id1', 'vulnerabilities', 'package', 'HIGH CVE-1 in openssl', 'stop', false, 'p1'],
      ['img', 't', 'id2', 'dockerfile', 'instruction', 'USER missing', 'warn', false, 'p1'],
      ['img', 't', 'id3', 'vulnerabilities', 'package', 'HIGH CVE-2 in zlib', 'stop', 'global_whitelist(rule 3)', 'p1'],
    ];
    const outcome = parseV1Check(v1({ status: 'fail', policyId: 'p1', detail: v1Detail('stop', rows) }), DIGEST);
    expect(outcome).toEqual({
      passed: false,
      finalAction: 'stop',
      policyId: 'p1',
      findings: [{ gate: 'vulnerabilities', trigger: 'package', message: 'HIGH CVE-1 in openssl', action: 'stop' }],
    });
  });

  it('reports the warn rows of a passing evaluation', () => {
    const rows = [['img', 't', 'id2', 'dockerfile', 'instruction', 'USER missing', 'warn', false, 'p1']];
    const outcome = parseV1Check(v1({ status: 'pass', policyId: 'p1', detail: v1Detail('warn', rows) }), DIGEST);
    expect(outcome).toMatchObject({
      passed: true,
      finalAction: 'warn',
      findings: [{ gate: 'dockerfile', action: 'warn' }],
    });
  });

  it('fails when any evaluation of the history fails; undefined when there is none; throws on a non-array', () => {
    const body = [
      {
        [DIGEST]: {
          tag: [
            { status: 'pass', policyId: 'p', detail: {} },
            { status: 'fail', policyId: 'p', detail: {} },
          ],
        },
      },
    ];
    expect(parseV1Check(body, DIGEST)?.passed).toBe(false);
    expect(parseV1Check([], DIGEST)).toBeUndefined();
    expect(parseV1Check([{ [DIGEST]: { tag: [] } }], DIGEST)).toBeUndefined();
    expect(() => parseV1Check({}, DIGEST)).toThrow(
      'Anchore policy check: unexpected response body (expected an array)',
    );
  });
});

describe('parseV2Check', () => {
  const evaluation = (status: string, finalAction: string, findings: object[] = [], extra: object = {}) => ({
    status,
    final_action: finalAction,
    final_action_reason: 'policy_evaluation',
    details: { findings, policy_action: finalAction, policy: {} },
    ...extra,
  });

  it('passes when every evaluation passes, warn included', () => {
    const warn = {
      gate: 'dockerfile',
      trigger: 'instruction',
      message: 'USER missing',
      action: 'warn',
      allowlisted: false,
    };
    expect(parseV2Check({ policy_id: 'p2', evaluations: [evaluation('pass', 'warn', [warn])] })).toEqual({
      passed: true,
      finalAction: 'warn',
      policyId: 'p2',
      findings: [{ gate: 'dockerfile', trigger: 'instruction', message: 'USER missing', action: 'warn' }],
    });
  });

  it('fails when any evaluation fails, with its unallowlisted stop findings', () => {
    const findings = [
      { gate: 'vulnerabilities', trigger: 'package', message: 'CRITICAL CVE-1', action: 'stop', allowlisted: false },
      { gate: 'vulnerabilities', trigger: 'package', message: 'CRITICAL CVE-2', action: 'stop', allowlisted: true },
      { gate: 'dockerfile', trigger: 'instruction', message: 'USER missing', action: 'warn', allowlisted: false },
    ];
    const outcome = parseV2Check({
      policy_id: 'p2',
      evaluations: [evaluation('pass', 'go'), evaluation('fail', 'stop', findings)],
    });
    expect(outcome).toEqual({
      passed: false,
      finalAction: 'stop',
      policyId: 'p2',
      findings: [{ gate: 'vulnerabilities', trigger: 'package', message: 'CRITICAL CVE-1', action: 'stop' }],
    });
  });

  it('says why a denylisted image fails without findings', () => {
    const outcome = parseV2Check({
      evaluations: [evaluation('fail', 'stop', [], { image_denylisted: true, final_action_reason: 'denylisted' })],
    });
    expect(outcome).toEqual({ passed: false, finalAction: 'stop', findings: [], note: 'the image is denylisted' });
  });

  it('undefined without evaluations; throws on a non-object', () => {
    expect(parseV2Check({ evaluations: [] })).toBeUndefined();
    expect(() => parseV2Check([])).toThrow('unexpected response body');
  });
});
