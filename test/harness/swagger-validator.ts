/**
 * Validates HTTP exchanges against a saved Swagger 2.0 or OpenAPI 3.0 document: the operation
 * exists, path/query/header parameters are declared and well-typed, required ones are present,
 * the JSON request body matches its schema, and each response's status is declared and its body
 * matches. The document's definitions (`#/definitions/*`) or components (`#/components/schemas/*`)
 * become one JSON Schema document for ajv: `$ref`s are rewritten to it, `nullable: true` and
 * `x-nullable: true` become "or null", OpenAPI-only keywords are dropped.
 *
 * Request bodies are checked strictly (an object schema that lists its properties accepts no
 * others), so a client that misspells a field (`pullstring` for `pull_string`) is caught although
 * the specs leave `additionalProperties` open; responses are checked as the spec says.
 *
 * Where a real server is known to differ from its spec, the caller passes `SpecDeviations`; each
 * deviation is explicit and narrow (one enum value, one status, one untyped response).
 */
import * as fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

export interface SpecDeviations {
  /** Enum values a definition's property may also take: `{ 'AnchoreImage.analysis_status': ['analysis_queued'] }`. */
  readonly extraEnumValues?: Readonly<Record<string, readonly string[]>>;
  /** A schema for a response the spec leaves untyped: key `GET /images/{imageDigest}/check 200`. */
  readonly responseSchemas?: Readonly<Record<string, object>>;
  /**
   * Statuses any operation may answer although the spec does not declare them: the name of a
   * definition the JSON body matches, or `text` for a non-JSON body (a proxy's or auth layer's).
   */
  readonly undeclaredStatuses?: Readonly<Record<number, string>>;
}

export interface SpecRequest {
  readonly method: string;
  /** The path below the API's mount point (`/images/sha256:…/check`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, undefined when there was none. */
  readonly body?: unknown;
}

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'body' | 'formData' | 'cookie';
  readonly required: boolean;
  readonly schema: JsonMap;
}

export interface SpecOperation {
  readonly method: string;
  readonly template: string;
  readonly parameters: readonly Parameter[];
  readonly body?: { readonly required: boolean; readonly schema: JsonMap };
  /** Status (or `default`) → JSON schema of the body, or null when the spec gives none. */
  readonly responses: ReadonlyMap<string, JsonMap | null>;
  readonly matcher: RegExp;
  readonly pathNames: readonly string[];
}

const DROPPED_KEYWORDS = new Set([
  'example',
  'examples',
  'xml',
  'externalDocs',
  'discriminator',
  'nullable',
  'x-nullable',
  'collectionFormat',
]);
/** Formats the Anchore specs use that are no JSON Schema format (`path`, typos of date-time): annotations only. */
const ANNOTATION_FORMATS = ['path', 'datetime', 'data-time'];

export class SpecValidator {
  private readonly ajv: Ajv;
  private readonly operations: SpecOperation[];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly definitionsKey: 'definitions' | 'components';

  private constructor(
    readonly name: string,
    private readonly document: JsonMap,
    private readonly deviations: SpecDeviations,
  ) {
    this.definitionsKey = typeof document['swagger'] === 'string' ? 'definitions' : 'components';
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const format of ANNOTATION_FORMATS) this.ajv.addFormat(format, true);
    const definitions = this.definitions();
    this.ajv.addSchema({ $id: 'loose', definitions: this.convertAll(definitions, false) } as object);
    this.ajv.addSchema({ $id: 'strict', definitions: this.convertAll(definitions, true) } as object);
    this.operations = this.readOperations();
  }

  /** Loads a saved spec (YAML or JSON). */
  static load(file: string, deviations: SpecDeviations = {}): SpecValidator {
    const document = parseYaml(fs.readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as JsonMap;
    return new SpecValidator(file.split('/').slice(-2).join('/'), document, deviations);
  }

  /** The operation a request addresses, or undefined (then `validateRequest` reports it). */
  operationFor(method: string, path: string): SpecOperation | undefined {
    return this.operations.find((op) => op.method === method.toLowerCase() && op.matcher.test(path));
  }

  /** Violations of the request (empty when it conforms). */
  validateRequest(request: SpecRequest): string[] {
    const operation = this.operationFor(request.method, request.path);
    const where = `${request.method} ${request.path}`;
    if (!operation) return [`${this.name}: ${where}: no such operation in the spec`];
    const problems: string[] = [];
    const add = (problem: string) => problems.push(`${this.name}: ${request.method} ${operation.template}: ${problem}`);
    const pathValues = operation.matcher.exec(request.path)?.slice(1) ?? [];

    for (const parameter of operation.parameters) {
      let raw: string | string[] | undefined;
      if (parameter.in === 'path') raw = pathValues[operation.pathNames.indexOf(parameter.name)];
      else if (parameter.in === 'query')
        raw = request.query.has(parameter.name) ? request.query.getAll(parameter.name) : undefined;
      else if (parameter.in === 'header') raw = request.headers[parameter.name.toLowerCase()];
      else continue;
      if (raw === undefined) {
        if (parameter.required) add(`required ${parameter.in} parameter ${parameter.name} is missing`);
        continue;
      }
      const value = coerce(parameter.in === 'path' ? decodeURIComponent(String(raw)) : raw, parameter.schema);
      for (const error of this.check(`param ${operation.template} ${parameter.name}`, parameter.schema, value, false)) {
        add(`${parameter.in} parameter ${parameter.name}=${JSON.stringify(value)}: ${error}`);
      }
    }
    for (const key of new Set(request.query.keys())) {
      if (!operation.parameters.some((p) => p.in === 'query' && p.name === key))
        add(`query parameter ${key} is not declared`);
    }
    if (operation.body) {
      if (request.body === undefined) {
        if (operation.body.required) add('the request body is missing');
      } else {
        const type = String(request.headers['content-type'] ?? '');
        if (!type.startsWith('application/json'))
          add(`request content-type ${type || '(none)'} is not application/json`);
        for (const error of this.check(
          `body ${operation.method} ${operation.template}`,
          operation.body.schema,
          request.body,
          true,
        )) {
          add(`request body: ${error}`);
        }
      }
    } else if (request.body !== undefined) {
      add('the operation takes no request body');
    }
    return problems;
  }

  /** Violations of a response to `operation`; `body` is the parsed JSON, or the text when not JSON. */
  validateResponse(operation: SpecOperation, status: number, contentType: string, body: unknown): string[] {
    const label = `${this.name}: ${operation.method.toUpperCase()} ${operation.template} → ${status}`;
    const override =
      this.deviations.responseSchemas?.[`${operation.method.toUpperCase()} ${operation.template} ${status}`];
    let schema: JsonMap | null | undefined = override as JsonMap | undefined;
    if (schema === undefined) {
      const declared = operation.responses.has(String(status))
        ? operation.responses.get(String(status))
        : operation.responses.get('default');
      if (declared !== undefined) schema = declared;
      else {
        const deviation = this.deviations.undeclaredStatuses?.[status];
        if (deviation === undefined) return [`${label}: status not declared by the spec`];
        if (deviation === 'text') return typeof body === 'string' ? [] : [`${label}: expected a text body`];
        schema = { $ref: `#/definitions/${deviation}` };
      }
    }
    if (schema === null) return [];
    if (!contentType.startsWith('application/json'))
      return [`${label}: content-type ${contentType || '(none)'} is not application/json`];
    return this.check(`response ${label}`, schema, body, false).map((error) => `${label}: ${error}`);
  }

  private check(key: string, schema: JsonMap, value: unknown, strict: boolean): string[] {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.convert(schema, strict) as object);
      this.compiled.set(key, validate);
    }
    if (validate(value)) return [];
    // A nullable schema is `anyOf: [null, schema]`: its "must be null" and "anyOf" errors only
    // repeat that the value is not valid for the schema, whose own errors are kept.
    const errors = (validate.errors ?? []).filter(
      (e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params['type'] === 'null'),
    );
    return (errors.length > 0 ? errors : (validate.errors ?? [])).map(describeError);
  }

  private definitions(): JsonMap {
    const raw = (
      this.definitionsKey === 'definitions'
        ? this.document['definitions']
        : (this.document['components'] as JsonMap | undefined)?.['schemas']
    ) as JsonMap | undefined;
    const definitions: JsonMap = structuredClone(raw ?? {});
    for (const [where, values] of Object.entries(this.deviations.extraEnumValues ?? {})) {
      const [definition = '', property = ''] = where.split('.');
      const schema = ((definitions[definition] as JsonMap | undefined)?.['properties'] as JsonMap | undefined)?.[
        property
      ] as JsonMap | undefined;
      if (!schema || !Array.isArray(schema['enum'])) throw new Error(`${this.name}: deviation ${where} names no enum`);
      schema['enum'] = [...schema['enum'], ...values];
    }
    return definitions;
  }

  private convertAll(definitions: JsonMap, strict: boolean): JsonMap {
    return Object.fromEntries(
      Object.entries(definitions).map(([name, schema]) => [name, this.convert(schema, strict)]),
    );
  }

  /** A spec schema as JSON Schema (draft-07) for ajv. */
  private convert(node: Json, strict: boolean): Json {
    if (Array.isArray(node)) return node.map((item) => this.convert(item, strict));
    if (node === null || typeof node !== 'object') return node;
    const out: JsonMap = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
      if (key === '$ref' && typeof value === 'string') out[key] = this.refTo(value, strict);
      else if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        // Property names are data, not keywords: convert each schema, keep every name.
        out[key] = Object.fromEntries(
          Object.entries(value).map(([name, schema]) => [name, this.convert(schema, strict)]),
        );
      } else if (key === 'enum' && Array.isArray(value)) {
        // 2.13.0's SystemStatistics.name lists one value twice, which ajv refuses as a schema.
        out[key] = [...new Map(value.map((v) => [JSON.stringify(v), v])).values()];
      } else out[key] = this.convert(value, strict);
    }
    const listsProperties = out['properties'] !== undefined && Object.keys(out['properties'] as JsonMap).length > 0;
    if (
      strict &&
      listsProperties &&
      out['additionalProperties'] === undefined &&
      !out['allOf'] &&
      !out['anyOf'] &&
      !out['oneOf']
    ) {
      out['additionalProperties'] = false;
    }
    if (node['nullable'] === true || node['x-nullable'] === true) return { anyOf: [{ type: 'null' }, out] };
    return out;
  }

  private refTo(ref: string, strict: boolean): string {
    const match = /^#\/(?:definitions|components\/schemas)\/(.+)$/.exec(ref);
    if (!match) throw new Error(`${this.name}: unsupported $ref ${ref}`);
    return `${strict ? 'strict' : 'loose'}#/definitions/${match[1]}`;
  }

  private resolveParameter(node: JsonMap): JsonMap {
    const ref = node['$ref'];
    if (typeof ref !== 'string') return node;
    const parts = ref.replace(/^#\//, '').split('/');
    let target: Json | undefined = this.document;
    for (const part of parts) target = (target as JsonMap | undefined)?.[part];
    if (!target || typeof target !== 'object') throw new Error(`${this.name}: unresolved parameter ${ref}`);
    return target as JsonMap;
  }

  private readOperations(): SpecOperation[] {
    const operations: SpecOperation[] = [];
    const swagger2 = this.definitionsKey === 'definitions';
    for (const [template, item] of Object.entries((this.document['paths'] ?? {}) as JsonMap)) {
      const pathItem = item as JsonMap;
      const shared = (pathItem['parameters'] as JsonMap[] | undefined) ?? [];
      for (const method of ['get', 'post', 'put', 'patch', 'delete', 'head']) {
        const op = pathItem[method] as JsonMap | undefined;
        if (!op) continue;
        const parameters: Parameter[] = [];
        let body: SpecOperation['body'];
        for (const raw of [...shared, ...((op['parameters'] as JsonMap[] | undefined) ?? [])].map((p) =>
          this.resolveParameter(p),
        )) {
          const where = raw['in'] as Parameter['in'];
          if (where === 'body') {
            body = { required: raw['required'] === true, schema: raw['schema'] as JsonMap };
            continue;
          }
          const schema = swagger2 ? swagger2ParameterSchema(raw) : ((raw['schema'] as JsonMap | undefined) ?? {});
          parameters.push({
            name: String(raw['name']),
            in: where,
            required: raw['required'] === true || where === 'path',
            schema,
          });
        }
        const requestBody = op['requestBody'] as JsonMap | undefined;
        if (requestBody) {
          const schema = (
            (requestBody['content'] as JsonMap | undefined)?.['application/json'] as JsonMap | undefined
          )?.['schema'] as JsonMap | undefined;
          body = { required: requestBody['required'] === true, schema: schema ?? {} };
        }
        const responses = new Map<string, JsonMap | null>();
        for (const [status, response] of Object.entries((op['responses'] ?? {}) as JsonMap)) {
          const r = response as JsonMap;
          const schema = swagger2
            ? (r['schema'] as JsonMap | undefined)
            : (((r['content'] as JsonMap | undefined)?.['application/json'] as JsonMap | undefined)?.['schema'] as
                JsonMap | undefined);
          responses.set(status, schema ?? null);
        }
        const pathNames = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
        const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)');
        operations.push({
          method,
          template,
          parameters,
          ...(body ? { body } : {}),
          responses,
          matcher: new RegExp(`^${source}$`),
          pathNames,
        });
      }
    }
    // Literal segments win over parameters (`/images/by_id/{imageId}` before `/images/{imageDigest}/…`).
    return operations.sort((a, b) => a.pathNames.length - b.pathNames.length);
  }
}

/** A Swagger 2.0 non-body parameter carries its schema keywords inline. */
function swagger2ParameterSchema(raw: JsonMap): JsonMap {
  const schema: JsonMap = {};
  for (const key of [
    'type',
    'enum',
    'pattern',
    'format',
    'items',
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
    'default',
  ]) {
    if (raw[key] !== undefined) schema[key] = raw[key] as Json;
  }
  return schema;
}

/** A query/path/header string as the schema's type (what connexion does before validating). */
function coerce(raw: string | string[], schema: JsonMap): unknown {
  const values = Array.isArray(raw) ? raw : [raw];
  if (schema['type'] === 'array') return values.flatMap((v) => v.split(','));
  const value = values[values.length - 1] ?? '';
  switch (schema['type']) {
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'integer':
    case 'number':
      return value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
    default:
      return value;
  }
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params['additionalProperty'])})` : '';
  const allowed = error.keyword === 'enum' ? ` (${JSON.stringify(error.params['allowedValues'])})` : '';
  return `${where} ${error.message ?? error.keyword}${extra}${allowed}`;
}
