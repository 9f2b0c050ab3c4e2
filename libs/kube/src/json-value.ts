/**
 * Reading attacker-shaped JSON safely. Everything here reads **own** properties only, so a
 * `__proto__` or `constructor` key in the input (JSON.parse makes those own properties) can
 * neither add nor hide a field, and nothing is ever merged into another object.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

const hasOwn = Object.prototype.hasOwnProperty;

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own property `key` of `obj`, or undefined (never an inherited one). */
export function ownField(obj: JsonObject, key: string): unknown {
  return hasOwn.call(obj, key) ? obj[key] : undefined;
}

/** A short name of a JSON value's type, for error messages ("null", "array", "string" ...). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const ECHO_LIMIT = 64;

/**
 * A value as it may be echoed back in an error: strings are quoted (JSON escapes make control
 * characters harmless) and cut to 64 characters; anything else is named by its type only.
 */
export function echo(value: unknown): string {
  if (typeof value !== 'string') return jsonTypeOf(value);
  if (value.length <= ECHO_LIMIT) return JSON.stringify(value);
  let cut = value.slice(0, ECHO_LIMIT);
  // Do not leave half of a surrogate pair at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${JSON.stringify(cut)}…`;
}

/**
 * A copy of a string map with its keys sorted (so equal maps serialise identically), or
 * undefined when there is nothing to write. `Object.fromEntries` defines properties, so a
 * `__proto__` key stays an ordinary key instead of replacing the prototype.
 */
export function sortedStringMap(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((key) => [key, ownField(map, key) as string]));
}
