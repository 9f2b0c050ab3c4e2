import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { errorText, isMapping } from './config-file';
import { keysOf, type SectionClass } from './config-key.decorators';
import type { KeyProblem } from './schema-validation';
import type { RedisSchema } from './schema/redis.config';
import type { ScangateConfigSchema } from './schema/scangate.config';

// Rules that span keys or touch the filesystem, checked after the schema classes. Keys that
// already failed their own rule are skipped so that each key is reported once.

function problem(key: string, message: string): KeyProblem {
  return { key, message, hasValue: false, secret: false };
}

/** A section as validated: a value the file gave as a scalar (already reported) counts as empty. */
function mapping<T extends object>(value: T | undefined): Partial<T> {
  return isMapping(value) ? value : {};
}

export function checkCrossKeyRules(schema: ScangateConfigSchema, bad: ReadonlySet<string>): KeyProblem[] {
  const out: KeyProblem[] = [];
  const analyzer = mapping(schema.analyzer);
  const server = mapping(schema.server);
  const admin = mapping(schema.admin);
  const admission = mapping(schema.admission);

  if (analyzer.type === 'anchore' && !bad.has('analyzer.anchore')) {
    const anchore = mapping(analyzer.anchore);
    const need = 'is required when analyzer.type is anchore';
    if (anchore.url === undefined) out.push(problem('analyzer.anchore.url', need));
    if (anchore.username === undefined) out.push(problem('analyzer.anchore.username', need));
    if (anchore.password === undefined && anchore.passwordFile === undefined) {
      out.push(problem('analyzer.anchore.password', `${need} (or analyzer.anchore.passwordFile)`));
    }
  }
  if (analyzer.type === 'clair' && !bad.has('analyzer.clair')) {
    const clair = mapping(analyzer.clair);
    if (clair.url === undefined) out.push(problem('analyzer.clair.url', 'is required when analyzer.type is clair'));
  }

  const tls = mapping(server.tls);
  if (!['server.tls', 'server.tls.certFile', 'server.tls.keyFile'].some((k) => bad.has(k))) {
    if (tls.certFile !== undefined && tls.keyFile === undefined) {
      out.push(problem('server.tls.keyFile', 'is required with server.tls.certFile'));
    }
    if (tls.keyFile !== undefined && tls.certFile === undefined) {
      out.push(problem('server.tls.certFile', 'is required with server.tls.keyFile'));
    }
    if (tls.clientCAFile !== undefined && tls.certFile === undefined && tls.keyFile === undefined) {
      const message = 'needs server.tls.certFile and keyFile (a serving certificate for mTLS)';
      out.push(problem('server.tls.clientCAFile', message));
    }
  }

  if (admin.port !== undefined && !bad.has('admin.port') && !bad.has('server.port') && admin.port === server.port) {
    out.push(problem('admin.port', `must differ from server.port (both ${server.port})`));
  }

  const redisKeys = ['redis', 'redis.url', 'redis.sentinels', 'redis.cluster', 'redis.sentinelName'];
  if (schema.redis !== undefined && !redisKeys.some((k) => bad.has(k))) {
    out.push(...redisTargetRules(mapping(schema.redis)));
  }

  if (Array.isArray(admission.namespaces)) {
    admission.namespaces.forEach((entry, index) => {
      const key = `admission.namespaces[${index}]`;
      if (!isMapping(entry) || bad.has(`${key}.names`) || bad.has(`${key}.labels`)) return;
      const names = Array.isArray(entry.names) ? entry.names : [];
      const labels = isMapping(entry.labels) ? entry.labels : {};
      if (names.length === 0 && Object.keys(labels).length === 0) {
        out.push(problem(key, 'needs names or labels (or both) to say which namespaces it applies to'));
      }
    });
  }
  return out;
}

/** Exactly one of url, sentinels (with sentinelName) or cluster; an empty list counts as not given. */
function redisTargetRules(redis: Partial<RedisSchema>): KeyProblem[] {
  const out: KeyProblem[] = [];
  const given = [
    redis.url !== undefined ? 'url' : undefined,
    redis.sentinels?.length ? 'sentinels' : undefined,
    redis.cluster?.length ? 'cluster' : undefined,
  ].filter((name) => name !== undefined);
  if (given.length === 0) {
    out.push(problem('redis.url', 'is required (or redis.sentinels with redis.sentinelName, or redis.cluster)'));
  } else if (given.length > 1) {
    const names = given.map((name) => `redis.${name}`);
    const message = `give exactly one of redis.url, redis.sentinels, redis.cluster (got ${names.join(' and ')})`;
    out.push(problem(names[1] ?? 'redis', message));
  }
  if (redis.sentinels?.length && redis.sentinelName === undefined) {
    out.push(problem('redis.sentinelName', 'is required with redis.sentinels (the master set name, e.g. mymaster)'));
  }
  if (!redis.sentinels?.length && redis.sentinelName !== undefined) {
    out.push(problem('redis.sentinelName', 'is only used with redis.sentinels'));
  }
  return out;
}

interface SectionAt {
  readonly key: string;
  readonly value: Record<string, unknown>;
  readonly section: SectionClass;
}

/** Sections in use: not list entries, and only the selected analyzer's. */
function* sectionsInUse(
  schema: ScangateConfigSchema,
  section: SectionClass,
  value: unknown,
  key: string,
): Generator<SectionAt> {
  if (!isMapping(value)) return;
  yield { key, value, section };
  for (const spec of keysOf(section)) {
    if (spec.kind !== 'section' || !spec.section) continue;
    const childKey = key === '' ? spec.name : `${key}.${spec.name}`;
    const analyzer = mapping(schema.analyzer).type;
    if (childKey === 'analyzer.anchore' && analyzer !== 'anchore') continue;
    if (childKey === 'analyzer.clair' && analyzer !== 'clair') continue;
    yield* sectionsInUse(schema, spec.section(), value[spec.name], childKey);
  }
}

/**
 * Checks that every configured file can be read, and fills each secret from its `…File` key
 * (content trimmed) into the schema. A secret given both ways is an error.
 */
export function readConfiguredFiles(
  schema: ScangateConfigSchema,
  root: SectionClass,
  bad: ReadonlySet<string>,
): KeyProblem[] {
  const out: KeyProblem[] = [];
  for (const { key, value, section } of sectionsInUse(schema, root, schema, '')) {
    const specs = keysOf(section);
    for (const spec of specs) {
      const path = value[spec.name];
      const fileKey = key === '' ? spec.name : `${key}.${spec.name}`;
      if (!spec.file || typeof path !== 'string' || path === '' || bad.has(fileKey)) continue;
      const target = spec.file.secretFor;
      if (target === undefined) {
        const unreadable = checkReadable(path);
        if (unreadable) out.push(problem(fileKey, unreadable));
        continue;
      }
      const valueKey = `${key}.${target}`;
      if (value[target] !== undefined) {
        out.push(problem(fileKey, `give either ${valueKey} or ${fileKey}, not both`));
        continue;
      }
      let content: string;
      try {
        content = readFileSync(path, 'utf8').trim();
      } catch (error) {
        out.push(problem(fileKey, `cannot read ${path}: ${errorText(error)}`));
        continue;
      }
      const format = specs.find((s) => s.name === target)?.format;
      if (content === '') {
        out.push(problem(fileKey, `${path} is empty`));
      } else if (format && !format.test(content)) {
        out.push(problem(fileKey, `the content of ${path} must be ${format.describe}`));
      } else {
        value[target] = content;
      }
    }
  }
  return out;
}

function checkReadable(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile() ? undefined : `${path} is not a file`;
  } catch (error) {
    return `cannot read ${path}: ${errorText(error)}`;
  }
}
