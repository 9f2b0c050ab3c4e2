import { tryParseImageRef } from './parse-image-ref';

/** One line of `scangate ref parse`, and of the Go oracle: same keys, same order. */
export type ReferenceDescription =
  | {
      readonly input: string;
      readonly name: string;
      readonly domain: string;
      readonly path: string;
      readonly tag?: string;
      readonly digest?: string;
      readonly familiar: string;
      readonly canonical: string;
    }
  | { readonly input: string; readonly error: string };

/**
 * `{input, name, domain, path, tag?, digest?, familiar, canonical}` or `{input, error}`, keys in
 * that order, tag and digest omitted when absent; `error` is the message (Go's err.Error() text).
 */
export function describeReference(input: string): ReferenceDescription {
  const result = tryParseImageRef(input);
  if (!result.ok) return { input, error: result.error.message };
  const { name, domain, path, tag, digest, familiar, canonical } = result.ref;
  return {
    input,
    name,
    domain,
    path,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    familiar,
    canonical,
  };
}
