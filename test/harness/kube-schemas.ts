/**
 * Contract checks for what scangate says to the Kubernetes API server, and for the Kubernetes
 * objects the tests send it. Everything is checked against upstream reference data that
 * `test/peers/fetch-kube-specs.sh` takes from the Go module proxy (see kube-specs.ts):
 *
 * - Workload objects: the OpenAPI v3 documents (core, apps, batch) of the Kubernetes release the
 *   kube-apiserver tests run, made strict the way `kubectl --validate=strict` /
 *   `fieldValidation=Strict` is: an unknown field is an error, and `x-kubernetes-list-type:
 *   map|set` lists must not repeat a key.
 * - AdmissionReview responses: a JSON Schema with the fields of `response` in the official
 *   round-trip fixture (k8s.io/api `testdata/HEAD`), `status` checked against `meta.v1.Status` from
 *   the core OpenAPI, plus the API server's own checks (`VerifyAdmissionResponse`, CONTRACTS
 *   §4.2) and scangate's promises (warnings ≤ 120 characters, a message on every denial).
 * - ImageReview responses: the `status` of the `imagepolicy.k8s.io/v1alpha1` fixture.
 *
 * Each `assert*` throws one Error listing every violation; each `*Violations` returns them.
 * Importing this module without the reference data fails once, with the command that fetches it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type AnySchemaObject, type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { KUBE_API_TESTDATA_DIR, KUBE_OPENAPI_DIR, KUBE_VERSION, requireKubeSpecs } from './kube-specs';

requireKubeSpecs();

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

/** One of the official round-trip fixtures, e.g. `admission.k8s.io.v1.AdmissionReview`. */
export function apiTestdata(name: string): Record<string, unknown> {
  return readJson(path.join(KUBE_API_TESTDATA_DIR, `${name}.json`)) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI documents as JSON Schema

const OPENAPI_FILES = [
  'api__v1_openapi.json',
  'apis__apps__v1_openapi.json',
  'apis__batch__v1_openapi.json',
  'apis__admissionregistration.k8s.io__v1_openapi.json', // the ValidatingWebhookConfiguration scangate prints
] as const;
const schemaId = (file: string): string => `https://scangate.invalid/kubernetes/${KUBE_VERSION}/${file}`;
const CORE_ID = schemaId('api__v1_openapi.json');
const STATUS_REF = `${CORE_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Status`;
const OBJECT_META_REF = `${CORE_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/**
 * Kinds no longer served, validated against their successor: batch/v1beta1 CronJob
 * (removed in 1.25) had the same fields as batch/v1 apart from `timeZone`, added later.
 */
const SCHEMA_ALIASES: Readonly<Record<string, string>> = {
  'batch/v1beta1/CronJob': 'batch/v1/CronJob',
};

/** Keywords of the Kubernetes OpenAPI dialect that only annotate. */
const ANNOTATION_KEYWORDS = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-unions',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-map-type',
];

type JsonSchema = Record<string, unknown>;

/**
 * Rewrites `#/components/schemas/X` into `#/definitions/X` and closes every object schema that
 * lists its properties (unknown fields become errors, as with strict field validation).
 * Iterative, so the depth of the documents does not matter.
 */
function toStrictDefinitions(schemas: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(schemas)) as Record<string, unknown>;
  const stack: unknown[] = [copy];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const schema = node as JsonSchema;
    const ref = schema['$ref'];
    if (typeof ref === 'string') schema['$ref'] = ref.replace('#/components/schemas/', '#/definitions/');
    if (
      schema['type'] === 'object' &&
      typeof schema['properties'] === 'object' &&
      schema['additionalProperties'] === undefined
    ) {
      schema['additionalProperties'] = false;
    }
    for (const [key, value] of Object.entries(schema)) {
      // Values under these keys are data (enums, defaults, union descriptions), not schemas.
      if (key === 'default' || key === 'enum' || key === 'example' || key.startsWith('x-kubernetes-')) continue;
      stack.push(value);
    }
  }
  return copy;
}

/** `x-kubernetes-list-type`: `map` lists must not repeat their key, `set` lists an item. */
const listType: SchemaValidateFunction = (schema: unknown, data: unknown, parentSchema?: AnySchemaObject) => {
  if (!Array.isArray(data) || (schema !== 'map' && schema !== 'set')) return true;
  const keys = schema === 'map' ? ((parentSchema?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) : [];
  const seen = new Set<string>();
  for (const item of data as unknown[]) {
    const identity =
      schema === 'set'
        ? JSON.stringify(item)
        : JSON.stringify(
            keys.map((k) => (typeof item === 'object' && item !== null ? (item as JsonSchema)[k] : undefined)),
          );
    if (seen.has(identity)) {
      listType.errors = [
        {
          keyword: 'x-kubernetes-list-type',
          message: `must not repeat ${schema === 'map' ? `the key (${keys.join(', ')}) ${identity}` : `the item ${identity}`}`,
          params: { listType: schema },
        },
      ];
      return false;
    }
    seen.add(identity);
  }
  return true;
};

interface Kubernetes {
  readonly ajv: Ajv;
  /** `group/version/kind` → `$ref` of the schema. */
  readonly kinds: ReadonlyMap<string, string>;
  readonly admissionReviewResponse: ValidateFunction;
  readonly imageReviewResponse: ValidateFunction;
}

let kubernetes: Kubernetes | undefined;

function load(): Kubernetes {
  if (kubernetes !== undefined) return kubernetes;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
  addFormats(ajv);
  ajv.addFormat('int-or-string', true); // the oneOf beside it checks the type
  ajv.addVocabulary(ANNOTATION_KEYWORDS);
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type', schemaType: 'string', validate: listType, errors: true });

  const kinds = new Map<string, string>();
  for (const file of OPENAPI_FILES) {
    const document = readJson(path.join(KUBE_OPENAPI_DIR, file)) as {
      components: { schemas: Record<string, unknown> };
    };
    const definitions = toStrictDefinitions(document.components.schemas);
    ajv.addSchema({ $id: schemaId(file), definitions });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      const gvks = (schema as JsonSchema)['x-kubernetes-group-version-kind'];
      if (!Array.isArray(gvks) || !name.startsWith('io.k8s.api.')) continue;
      for (const gvk of gvks as { group: string; version: string; kind: string }[]) {
        const key = `${gvk.group === '' ? '' : `${gvk.group}/`}${gvk.version}/${gvk.kind}`;
        if (!kinds.has(key)) kinds.set(key, `${schemaId(file)}#/definitions/${name}`);
      }
    }
  }
  kubernetes = {
    ajv,
    kinds,
    admissionReviewResponse: ajv.compile(ADMISSION_REVIEW_RESPONSE_SCHEMA),
    imageReviewResponse: ajv.compile(IMAGE_REVIEW_RESPONSE_SCHEMA),
  };
  return kubernetes;
}

// ---------------------------------------------------------------------------------------------
// Response schemas

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

/**
 * `AdmissionReview` as a webhook answers it. The properties of `response` are exactly those of
 * the round-trip fixture's `response` (kube-schemas.spec checks that); `patch`/`patchType` are
 * part of the shape, and forbidden for a validating webhook by a separate check below. Nothing
 * but `apiVersion`, `kind` and `response` at the top: scangate does not echo the request.
 */
export const ADMISSION_REVIEW_RESPONSE_SCHEMA = {
  $id: 'https://scangate.invalid/admission-review-response.json',
  type: 'object',
  required: ['apiVersion', 'kind', 'response'],
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    response: {
      type: 'object',
      required: ['uid', 'allowed'],
      additionalProperties: false,
      properties: {
        uid: { type: 'string' },
        allowed: { type: 'boolean' },
        status: { $ref: STATUS_REF },
        patch: { type: 'string', format: 'byte' },
        patchType: { type: 'string' },
        auditAnnotations: STRING_MAP,
        warnings: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

/**
 * `imagepolicy.k8s.io/v1alpha1` ImageReview as a backend answers it: the fixture's top-level
 * fields (`metadata` and `spec` may be echoed; the API server ignores them) and its `status`.
 */
export const IMAGE_REVIEW_RESPONSE_SCHEMA = {
  $id: 'https://scangate.invalid/image-review-response.json',
  type: 'object',
  required: ['apiVersion', 'kind', 'status'],
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { $ref: OBJECT_META_REF },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        containers: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, properties: { image: { type: 'string' } } },
        },
        annotations: STRING_MAP,
        namespace: { type: 'string' },
      },
    },
    status: {
      type: 'object',
      required: ['allowed'],
      additionalProperties: false,
      properties: {
        allowed: { type: 'boolean' },
        reason: { type: 'string' },
        auditAnnotations: STRING_MAP,
      },
    },
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Checks

/** `/response/warnings/0` → `response.warnings[0]`. */
function dottedPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})`
        : e.keyword === 'enum'
          ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})`
          : '';
    return `${dottedPath(e.instancePath)}: ${e.message ?? e.keyword}${extra}`;
  });
}

function fail(what: string, violations: readonly string[]): void {
  if (violations.length === 0) return;
  throw new Error(
    `${what} violates the contract (${violations.length}):\n${violations.map((v) => `  - ${v}`).join('\n')}`,
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An audit annotation key as the API server stores it (`<prefix>/<key>`): the key must be the
 * name part of a qualified name: no `/`, at most 63 characters, `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
 */
export function auditAnnotationKeyViolations(key: string): string[] {
  const out: string[] = [];
  if (key.includes('/')) out.push('must not contain "/" (the API server adds its own prefix)');
  if (key.length > 63) out.push(`must be at most 63 characters (has ${key.length})`);
  if (!key.includes('/') && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) {
    out.push('must match [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?');
  }
  return out;
}

function auditAnnotationViolations(annotations: unknown, where: string): string[] {
  if (!isRecord(annotations)) return [];
  return Object.keys(annotations).flatMap((key) =>
    auditAnnotationKeyViolations(key).map((v) => `${where}[${JSON.stringify(key)}]: key ${v}`),
  );
}

/** scangate keeps each warning within 120 characters (longer ones may be truncated by clients). */
export const MAX_WARNING_CHARACTERS = 120;

/** Every way `body` falls short of a valid answer to an AdmissionReview request. */
export function admissionReviewResponseViolations(
  body: unknown,
  requestApiVersion: string,
  requestUid: string,
): string[] {
  const { admissionReviewResponse } = load();
  const violations: string[] = [];
  if (!admissionReviewResponse(body)) violations.push(...describeErrors(admissionReviewResponse.errors));
  if (!isRecord(body)) return violations;

  // The API server's VerifyAdmissionResponse (checked for v1; scangate keeps it for v1beta1 too).
  if (requestApiVersion !== 'admission.k8s.io/v1' && requestApiVersion !== 'admission.k8s.io/v1beta1') {
    violations.push(`the request's apiVersion ${JSON.stringify(requestApiVersion)} is not an AdmissionReview version`);
  }
  if (body['apiVersion'] !== requestApiVersion) {
    violations.push(
      `apiVersion: ${JSON.stringify(body['apiVersion'])} is not the request's ${JSON.stringify(requestApiVersion)}`,
    );
  }
  if (body['kind'] !== 'AdmissionReview') {
    violations.push(`kind: ${JSON.stringify(body['kind'])} is not "AdmissionReview"`);
  }
  const response = body['response'];
  if (!isRecord(response)) return violations;
  if (response['uid'] !== requestUid) {
    violations.push(
      `response.uid: ${JSON.stringify(response['uid'])} is not the request's ${JSON.stringify(requestUid)}`,
    );
  }
  for (const field of ['patch', 'patchType']) {
    if (field in response) violations.push(`response.${field}: a validating webhook must not return it`);
  }

  const status = response['status'];
  if (response['allowed'] === false) {
    const code = isRecord(status) ? status['code'] : undefined;
    if (typeof code !== 'number' || code < 400) {
      violations.push(
        `response.status.code: a denial needs a code ≥ 400 (the API server turns ${JSON.stringify(code ?? null)} into 400)`,
      );
    }
    const message = isRecord(status) ? status['message'] : undefined;
    if (typeof message !== 'string' || message.trim() === '') {
      violations.push('response.status.message: a denial must say why (the user sees only this)');
    }
  } else if (response['allowed'] === true && status !== undefined) {
    violations.push('response.status: present although allowed (the API server reads it only on denial)');
  }

  const warnings = response['warnings'];
  if (Array.isArray(warnings)) {
    warnings.forEach((warning: unknown, i) => {
      if (typeof warning === 'string' && [...warning].length > MAX_WARNING_CHARACTERS) {
        violations.push(
          `response.warnings[${i}]: ${[...warning].length} characters, more than ${MAX_WARNING_CHARACTERS}`,
        );
      }
    });
  }
  violations.push(...auditAnnotationViolations(response['auditAnnotations'], 'response.auditAnnotations'));
  return violations;
}

/** Throws an Error listing every violation of `admissionReviewResponseViolations`. */
export function assertAdmissionReviewResponse(body: unknown, requestApiVersion: string, requestUid: string): void {
  fail('AdmissionReview response', admissionReviewResponseViolations(body, requestApiVersion, requestUid));
}

/** Every way `body` falls short of a valid answer to an ImageReview. */
export function imageReviewResponseViolations(body: unknown): string[] {
  const { imageReviewResponse } = load();
  const violations: string[] = [];
  if (!imageReviewResponse(body)) violations.push(...describeErrors(imageReviewResponse.errors));
  if (!isRecord(body)) return violations;
  if (body['apiVersion'] !== 'imagepolicy.k8s.io/v1alpha1') {
    violations.push(`apiVersion: ${JSON.stringify(body['apiVersion'])} is not "imagepolicy.k8s.io/v1alpha1"`);
  }
  if (body['kind'] !== 'ImageReview') violations.push(`kind: ${JSON.stringify(body['kind'])} is not "ImageReview"`);
  const status = body['status'];
  if (!isRecord(status)) return violations;
  if (status['allowed'] === false) {
    const reason = status['reason'];
    if (typeof reason !== 'string' || reason.trim() === '') {
      violations.push('status.reason: a denial must say why (the user sees only this)');
    }
  }
  violations.push(...auditAnnotationViolations(status['auditAnnotations'], 'status.auditAnnotations'));
  return violations;
}

/** Throws an Error listing every violation of `imageReviewResponseViolations`. */
export function assertImageReviewResponse(body: unknown): void {
  fail('ImageReview response', imageReviewResponseViolations(body));
}

/**
 * Every way `object` (with its own `apiVersion` and `kind`) falls short of the OpenAPI schema
 * of its kind (of the release the tests run), validated strictly (see the top of this file).
 */
export function kubernetesObjectViolations(object: unknown): string[] {
  const { ajv, kinds } = load();
  if (!isRecord(object)) return ['(root): must be an object'];
  const apiVersion = object['apiVersion'];
  const kind = object['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return ['(root): apiVersion and kind must be strings'];
  const key = `${apiVersion}/${kind}`;
  const ref = kinds.get(SCHEMA_ALIASES[key] ?? key);
  if (ref === undefined) return [`(root): no saved OpenAPI schema for ${key}`];
  const validate = ajv.getSchema(ref);
  if (validate === undefined) return [`(root): cannot compile ${ref}`];
  return validate(object) ? [] : describeErrors(validate.errors);
}

/** Throws an Error listing every violation of `kubernetesObjectViolations`. */
export function assertKubernetesObject(object: unknown): void {
  const label = isRecord(object) ? `${String(object['kind'])} ${JSON.stringify(object['metadata'] ?? {})}` : 'object';
  fail(label.slice(0, 120), kubernetesObjectViolations(object));
}

/** The kinds (`group/version/kind`) the OpenAPI documents define. */
export function knownKubernetesKinds(): string[] {
  return [...load().kinds.keys()];
}
