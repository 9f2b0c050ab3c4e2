import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './config.error';

export type RawConfig = Record<string, unknown>;

/** `raw` is empty when the file cannot be read or parsed; the issues say why. */
export interface FileResult {
  readonly raw: RawConfig;
  readonly issues: readonly ConfigIssue[];
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
};

/** A short reason: `no such file (ENOENT)` for file system errors, else the error's message. */
export function errorText(error: unknown): string {
  // Not `instanceof Error`: errors raised by node:fs come from another realm under Jest.
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && ERRNO_TEXT[code] !== undefined) return `${ERRNO_TEXT[code]} (${code})`;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Reads the YAML (or JSON, which is YAML) config file. Duplicate keys are errors; `key:` with no
 * value (null) means "use the default", as in Helm values.
 */
export function readConfigFile(file: string): FileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { raw: {}, issues: [{ key: file, message: `cannot read the config file: ${errorText(error)}` }] };
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    return {
      raw: {},
      issues: doc.errors.map((error) => {
        const where = error.linePos?.[0];
        const at = where ? `:${where.line}:${where.col}` : '';
        // prettyErrors adds " at line L, column C:" and a code frame; the key carries the position.
        const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return { key: `${file}${at}`, message: `not valid YAML: ${reason}` };
      }),
    };
  }
  let content: unknown;
  try {
    content = doc.toJS();
  } catch (error) {
    return { raw: {}, issues: [{ key: file, message: `not valid YAML: ${errorText(error)}` }] };
  }
  if (content === null || content === undefined) return { raw: {}, issues: [] };
  if (!isMapping(content)) {
    return { raw: {}, issues: [{ key: file, message: 'the top level must be a mapping (server:, cache:, …)' }] };
  }
  const issues: ConfigIssue[] = [];
  const raw = cleanTree(content, '', issues) as RawConfig;
  return { raw, issues };
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Drops null values from mappings (they mean "default") and refuses keys that would reach an
 * object's prototype once class-transformer copies them onto the schema classes.
 */
export function cleanTree(value: unknown, key: string, issues: ConfigIssue[]): unknown {
  if (Array.isArray(value)) return value.map((entry, index) => cleanTree(entry, `${key}[${index}]`, issues));
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(value)) {
    const path = key === '' ? name : `${key}.${name}`;
    if (FORBIDDEN_KEYS.has(name)) {
      issues.push({ key: path, message: 'unknown key' });
    } else if (entry !== null) {
      out[name] = cleanTree(entry, path, issues);
    }
  }
  return out;
}
