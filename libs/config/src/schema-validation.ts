import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import type { RawConfig } from './config-file';
import { keysOf } from './config-key.decorators';
import { ScangateConfigSchema } from './schema/scangate.config';
import { suggest } from './suggest';

/** A problem found on a key; the loader adds where the value came from. */
export interface KeyProblem {
  readonly key: string;
  readonly message: string;
  /** The offending value, when there is one worth showing. */
  readonly value?: unknown;
  readonly hasValue: boolean;
  readonly secret: boolean;
}

export interface SchemaResult {
  /** Defaults filled in; trustworthy only where no problem was reported. */
  readonly schema: ScangateConfigSchema;
  readonly problems: readonly KeyProblem[];
}

/**
 * Checks the merged file + environment content against the schema classes. Unknown keys are
 * errors (typo protection), with the nearest known key suggested.
 */
export function validateSchema(raw: RawConfig): SchemaResult {
  const schema = plainToInstance(ScangateConfigSchema, raw);
  const errors = validateSync(schema, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
  });
  const problems: KeyProblem[] = [];
  collect(errors, '', problems);
  return { schema, problems };
}

function childPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent === '' ? property : `${parent}.${property}`;
}

function collect(errors: readonly ValidationError[], parent: string, out: KeyProblem[]): void {
  for (const error of errors) {
    const key = childPath(parent, error.property);
    const constraints = error.constraints ?? {};
    const known = error.target ? keysOf(error.target.constructor) : [];
    if (constraints['whitelistValidation'] !== undefined) {
      const names = known.map((k) => k.name);
      const near = suggest(error.property, names);
      const hint = near ? `did you mean ${near}?` : `expected one of ${names.join(', ')}`;
      out.push({ key, message: `unknown key; ${hint}`, hasValue: false, secret: false });
    } else {
      const message = Object.values(constraints)[0];
      if (message !== undefined) {
        const secret = known.find((k) => k.name === error.property)?.secret ?? false;
        out.push({ key, message, value: error.value, hasValue: error.value !== undefined, secret });
      }
    }
    if (error.children) collect(error.children, key, out);
  }
}
