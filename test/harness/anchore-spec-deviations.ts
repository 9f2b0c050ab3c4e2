/**
 * The saved Anchore specs, and the places where CONTRACTS.md §1 says the running servers differ
 * from them. Each deviation is allowed explicitly and narrowly here, with the reason; anything
 * else the simulator sends or receives must conform to the spec as saved.
 *
 * No package publishes these swagger files (Anchore Engine is a Python project, the Enterprise
 * client's module is not served by the Go module proxy), so they are read from `../shared/specs` beside the
 * repository; importing this module without them fails once, naming the missing files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type SpecDeviations, SpecValidator } from './swagger-validator';

function specsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${__dirname}`);
    dir = parent;
  }
  return path.resolve(dir, '..', 'shared', 'specs');
}

export const ANCHORE_ENGINE_SPEC = path.join(specsDir(), 'anchore-engine', 'apiext-swagger.yaml');
const enterpriseSpec = (version: string): string =>
  path.join(specsDir(), 'anchore-enterprise', `anchore-api-v2-swagger-${version}.yaml`);
export const ANCHORE_ENTERPRISE_SPECS = [enterpriseSpec('2.0.0'), enterpriseSpec('2.13.0')];

const missingSpecs = [ANCHORE_ENGINE_SPEC, ...ANCHORE_ENTERPRISE_SPECS].filter((file) => !fs.existsSync(file));
if (missingSpecs.length > 0) {
  throw new Error(
    `Anchore swagger missing: ${missingSpecs.join(', ')} (saved upstream copies, expected in shared/specs beside the repository; no package publishes them)`,
  );
}

/** Both APIs: the engine's state machine has `analysis_queued`, missing from the enums (CONTRACTS §1.1, §1.2). */
const QUEUED = { 'AnchoreImage.analysis_status': ['analysis_queued'] };

/**
 * `{"<digest>": {"<tag>": [evaluation…]}}` — the element of Engine v1's check answer, which the
 * swagger leaves untyped (`PolicyEvaluation: {type: object}`); this is the shape CONTRACTS §1.1
 * gives from the code. An evaluation has `status` pass|fail, or (no stored evaluation) no status
 * and `final_action: fail`.
 */
const V1_CHECK_LIST = {
  type: 'array',
  items: {
    type: 'object',
    minProperties: 1,
    additionalProperties: {
      type: 'object',
      additionalProperties: {
        type: 'array',
        items: {
          type: 'object',
          required: ['policyId', 'last_evaluation', 'detail'],
          properties: {
            status: { enum: ['pass', 'fail'] },
            policyId: { type: 'string' },
            last_evaluation: { type: 'string' },
            final_action: { enum: ['fail'] },
            detail: {
              type: 'object',
              properties: {
                result: {
                  type: 'object',
                  required: ['final_action', 'status', 'result', 'image_digest', 'tag'],
                  properties: {
                    final_action: { enum: ['stop', 'warn', 'go'] },
                    result: {
                      type: 'object',
                      additionalProperties: {
                        anyOf: [
                          { type: 'array' },
                          { type: 'string' },
                          {
                            type: 'object',
                            required: ['result'],
                            properties: {
                              result: {
                                type: 'object',
                                required: ['header', 'row_count', 'rows', 'final_action'],
                                properties: {
                                  header: { type: 'array', items: { type: 'string' } },
                                  rows: { type: 'array', items: { type: 'array' } },
                                  row_count: { type: 'integer' },
                                },
                              },
                            },
                          },
                        ],
                      },
                    },
                  },
                },
              },
            },
          },
          if: { required: ['status'] },
          then: {},
          else: { required: ['final_action'] },
        },
      },
    },
  },
};

export const ENGINE_V1_DEVIATIONS: SpecDeviations = {
  extraEnumValues: QUEUED,
  responseSchemas: { 'GET /images/{imageDigest}/check 200': V1_CHECK_LIST },
  undeclaredStatuses: {
    // The auth layer answers before the controller: text `Unauthorized` + WWW-Authenticate (§1.1).
    401: 'text',
    // v1 declares only 200 and 500, yet the controllers answer 403/404 (and 400) with the same
    // envelope, whose `httpcode` (not the documented `code`) the open schema already admits (§1.1).
    400: 'ApiErrorResponse',
    403: 'ApiErrorResponse',
    404: 'ApiErrorResponse',
  },
};

/** 2.13.0 declares 400/403/404/500, but not the auth layer's text 401 (§1.2: Basic, like v1). */
export const ENTERPRISE_V2_DEVIATIONS: SpecDeviations = {
  extraEnumValues: QUEUED,
  undeclaredStatuses: { 401: 'text' },
};

/**
 * 2.0.0 (Enterprise 5.0) declares only 200 and 500 on the image routes, like v1; the 400/403/404
 * its server answers (with the envelope 2.13.0 later declared for them) are the same deviation.
 */
export const ENTERPRISE_V2_0_DEVIATIONS: SpecDeviations = {
  extraEnumValues: QUEUED,
  undeclaredStatuses: { 401: 'text', 400: 'ApiErrorResponse', 403: 'ApiErrorResponse', 404: 'ApiErrorResponse' },
};

const cache = new Map<string, SpecValidator>();

function cached(file: string, deviations: SpecDeviations): SpecValidator {
  let validator = cache.get(file);
  if (!validator) {
    validator = SpecValidator.load(file, deviations);
    cache.set(file, validator);
  }
  return validator;
}

/** Validators for one API: Engine v1's swagger, or both saved Enterprise v2 documents (first and latest). */
export function anchoreValidators(version: 'v1' | 'v2'): SpecValidator[] {
  return version === 'v1'
    ? [cached(ANCHORE_ENGINE_SPEC, ENGINE_V1_DEVIATIONS)]
    : [
        cached(enterpriseSpec('2.0.0'), ENTERPRISE_V2_0_DEVIATIONS),
        cached(enterpriseSpec('2.13.0'), ENTERPRISE_V2_DEVIATIONS),
      ];
}
