import { type AnchoreApiVersion, isObject, unexpectedBody } from './anchore-wire';

/**
 * What differs between Engine v1 and Enterprise v2 on the routes scangate uses (CONTRACTS.md
 * §1.2): the prefix, snake_case names of parameters and fields.
 */
export interface AnchoreDialect {
  readonly version: AnchoreApiVersion;
  readonly prefix: string;
  /** Query parameter of the list route filtering by full tag. */
  readonly fullTagParam: string;
  /** Query parameter of the check route naming the policy (bundle). */
  readonly policyParam: string;
  /** Body of `POST …/images` adding a registry image by digest, with the tag to associate. */
  addByDigestBody(pullString: string, tag: string): unknown;
}

const ANNOTATIONS = { requestor: 'scangate' };

export const ANCHORE_DIALECTS: Readonly<Record<AnchoreApiVersion, AnchoreDialect>> = {
  v1: {
    version: 'v1',
    prefix: '/v1',
    fullTagParam: 'fulltag',
    policyParam: 'policyId',
    addByDigestBody: (pullString, tag) => ({
      source: { digest: { pullstring: pullString, tag } },
      annotations: ANNOTATIONS,
      image_type: 'docker',
    }),
  },
  v2: {
    version: 'v2',
    prefix: '/v2',
    fullTagParam: 'full_tag',
    policyParam: 'policy_id',
    addByDigestBody: (pullString, tag) => ({
      source: { digest: { pull_string: pullString, tag } },
      annotations: ANNOTATIONS,
      image_type: 'docker',
    }),
  },
};

/**
 * The API version a `GET /version` answer names: Enterprise says `api.version` "2"; Engine v1's
 * `api` object is empty (how Anchore's own admission controller tells them apart).
 */
export function apiVersionOf(body: unknown): AnchoreApiVersion {
  if (!isObject(body)) throw unexpectedBody('GET /version', 'expected a ServiceVersion object');
  const api = body['api'];
  const version = isObject(api) ? api['version'] : undefined;
  if (version === undefined || version === null || version === '') return 'v1';
  const major = String(version).split('.')[0];
  if (major === '2') return 'v2';
  if (major === '1') return 'v1';
  throw unexpectedBody('GET /version', `API version ${String(version)} is not supported (v1 or v2)`);
}
