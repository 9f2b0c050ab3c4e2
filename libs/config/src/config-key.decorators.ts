// class-transformer's @Type reads design metadata: load the polyfill where the decorators are
// declared, so every path into the schema classes (index.ts, or a spec importing one file) has it.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import type { Format } from './formats';

/**
 * Config keys are declared once, on the schema classes, with the decorators below. Each one
 * registers the key (kind, description, range: what env coercion, `describeConfigKeys()` and
 * the README use) and applies the class-validator decorators that check it, with one message per
 * key that reads after "<key>: " (validation runs with `stopAtFirstError`, so a key reports the
 * first rule it breaks). Keeping the rule and its description in one call means the range in the
 * docs and the range in the error cannot drift apart.
 */
export type KeyKind = 'int' | 'boolean' | 'string' | 'enum' | 'list' | 'map' | 'section' | 'sections';

export type SectionClass = new () => object;

export interface KeySpec {
  readonly name: string;
  readonly kind: KeyKind;
  readonly description: string;
  /** Human-readable constraint: `1–65535`, `enforce | warn | audit`, `host or host:port …`. */
  readonly range?: string;
  /** May be absent (no default). */
  readonly optional: boolean;
  /** Never echoed in error messages. */
  readonly secret: boolean;
  /** The syntax a string key must have. */
  readonly format?: Format;
  /** A path that must be readable; `secretFor` names the sibling key its trimmed content fills. */
  readonly file?: { readonly secretFor?: string };
  /** The schema class of a `section` or of each entry of `sections`. */
  readonly section?: () => SectionClass;
}

const registry = new Map<object, KeySpec[]>();

/** The keys declared on a schema class, in declaration order. */
export function keysOf(section: object): readonly KeySpec[] {
  return registry.get(section) ?? [];
}

function declare(spec: Omit<KeySpec, 'name'>, validators: readonly PropertyDecorator[]): PropertyDecorator {
  return (target: object, property: string | symbol): void => {
    if (typeof property !== 'string') throw new TypeError('config keys must have string names');
    const owner = target.constructor;
    const list = registry.get(owner) ?? [];
    list.push({ name: property, ...spec });
    registry.set(owner, list);
    for (const validator of validators) validator(target, property);
  };
}

function presence(optional: boolean | undefined, required: boolean | undefined): PropertyDecorator[] {
  if (optional) return [IsOptional()];
  // Keys with a default are never undefined here; `required` keys have none and must be given.
  return required ? [IsDefined({ message: 'is required' })] : [];
}

/** A custom rule with a message built from the offending value. */
export function Check(
  name: string,
  test: (value: unknown) => boolean,
  message: string | ((value: unknown) => string),
): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => test(value),
      defaultMessage: (args) => (typeof message === 'string' ? message : message(args?.value)),
    },
  });
}

interface CommonOptions {
  /** No default: the key may be absent. */
  readonly optional?: boolean;
  /** No default, and must be given (inside an optional section). */
  readonly required?: boolean;
}

export function IntKey(
  description: string,
  options: CommonOptions & { readonly min: number; readonly max: number; readonly why?: string },
): PropertyDecorator {
  const { min, max, why } = options;
  const message = `must be an integer between ${min} and ${max}${why ? `; ${why}` : ''}`;
  return declare({ kind: 'int', description, range: `${min}–${max}`, optional: !!options.optional, secret: false }, [
    ...presence(options.optional, options.required),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  ]);
}

export function BoolKey(description: string, options: CommonOptions = {}): PropertyDecorator {
  return declare({ kind: 'boolean', description, range: 'true | false', optional: !!options.optional, secret: false }, [
    ...presence(options.optional, options.required),
    IsBoolean({ message: 'must be true or false' }),
  ]);
}

export function EnumKey(
  values: readonly string[],
  description: string,
  options: CommonOptions = {},
): PropertyDecorator {
  const range = values.join(' | ');
  return declare({ kind: 'enum', description, range, optional: !!options.optional, secret: false }, [
    ...presence(options.optional, options.required),
    IsIn([...values], { message: `must be one of ${values.join(', ')}` }),
  ]);
}

export function StringKey(
  description: string,
  options: CommonOptions & {
    readonly format?: Format;
    readonly secret?: boolean;
    readonly file?: { readonly secretFor?: string };
  } = {},
): PropertyDecorator {
  const { format } = options;
  const spec: Omit<KeySpec, 'name'> = {
    kind: 'string',
    description,
    ...(format ? { range: format.describe, format } : {}),
    optional: !!options.optional,
    secret: !!options.secret,
    ...(options.file ? { file: options.file } : {}),
  };
  return declare(spec, [
    ...presence(options.optional, options.required),
    IsString({ message: 'must be a string' }),
    Check('notEmpty', (v) => v !== '', 'must not be empty'),
    ...(format ? [Check('format', (v) => typeof v === 'string' && format.test(v), `must be ${format.describe}`)] : []),
  ]);
}

function badEntries(value: unknown, ok: (entry: unknown) => boolean): string {
  const bad = Array.isArray(value) ? value.filter((entry) => !ok(entry)) : [];
  return bad
    .slice(0, 5)
    .map((entry) => JSON.stringify(entry))
    .join(', ');
}

export function ListKey(
  description: string,
  options: CommonOptions & { readonly format?: Format } = {},
): PropertyDecorator {
  const { format } = options;
  const isEntry = (entry: unknown): boolean =>
    typeof entry === 'string' && entry !== '' && (!format || format.test(entry));
  return declare(
    {
      kind: 'list',
      description,
      ...(format ? { range: `each ${format.describe}` } : {}),
      optional: !!options.optional,
      secret: false,
    },
    [
      ...presence(options.optional, options.required),
      IsArray({ message: 'must be a list' }),
      Check(
        'entries',
        (v) => Array.isArray(v) && v.every(isEntry),
        (v) => `each entry must be ${format ? format.describe : 'a non-empty string'}; not ${badEntries(v, isEntry)}`,
      ),
    ],
  );
}

export function MapKey(
  description: string,
  options: CommonOptions & { readonly keyFormat: Format; readonly valueFormat: Format },
): PropertyDecorator {
  const { keyFormat, valueFormat } = options;
  const badKeys = (v: unknown): string[] => Object.keys(v as object).filter((k) => !keyFormat.test(k));
  const badValues = (v: unknown): string[] =>
    Object.entries(v as object)
      .filter(([, value]) => typeof value !== 'string' || !valueFormat.test(value))
      .map(([k]) => k);
  return declare(
    {
      kind: 'map',
      description,
      range: `keys: ${keyFormat.describe}; values: ${valueFormat.describe}`,
      optional: !!options.optional,
      secret: false,
    },
    [
      ...presence(options.optional, options.required),
      IsObject({ message: 'must be a mapping of strings' }),
      Check(
        'mapKeys',
        (v) => badKeys(v).length === 0,
        (v) =>
          `keys must be ${keyFormat.describe}; not ${badKeys(v)
            .map((k) => JSON.stringify(k))
            .join(', ')}`,
      ),
      Check(
        'mapValues',
        (v) => badValues(v).length === 0,
        (v) =>
          `values must be ${valueFormat.describe} (strings; quote numbers and booleans); ` +
          `bad: ${badValues(v).join(', ')}`,
      ),
    ],
  );
}

export function SectionKey(
  section: () => SectionClass,
  description: string,
  options: CommonOptions = {},
): PropertyDecorator {
  return declare({ kind: 'section', description, optional: !!options.optional, secret: false, section }, [
    ...presence(options.optional, options.required),
    IsObject({ message: 'must be a mapping' }),
    ValidateNested(),
    Type(section),
  ]);
}

export function SectionListKey(
  section: () => SectionClass,
  description: string,
  options: CommonOptions = {},
): PropertyDecorator {
  return declare({ kind: 'sections', description, optional: !!options.optional, secret: false, section }, [
    ...presence(options.optional, options.required),
    IsArray({ message: 'must be a list' }),
    ValidateNested({ each: true, message: 'each entry must be a mapping' }),
    Type(section),
  ]);
}
