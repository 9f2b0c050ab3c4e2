/**
 * The path segments of a field path as the kube extractor prints it
 * (`spec.template.spec.initContainers[1].image`), for `Document.getIn`.
 *
 * The extractor builds these paths from fixed schema field names (never from the input), so
 * names never contain `.` or `[`; anything else is a bug and throws.
 */
export function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const part of path.split('.')) {
    const bracket = part.indexOf('[');
    const field = bracket === -1 ? part : part.slice(0, bracket);
    if (field === '') throw new Error(`unexpected field path ${JSON.stringify(path)}`);
    segments.push(field);
    let rest = bracket === -1 ? '' : part.slice(bracket);
    while (rest !== '') {
      const close = rest.indexOf(']');
      const digits = rest.slice(1, close);
      if (!rest.startsWith('[') || close < 2 || !isDigits(digits)) {
        throw new Error(`unexpected field path ${JSON.stringify(path)}`);
      }
      segments.push(Number(digits));
      rest = rest.slice(close + 1);
    }
  }
  return segments;
}

function isDigits(text: string): boolean {
  for (const char of text) if (char < '0' || char > '9') return false;
  return text !== '';
}
