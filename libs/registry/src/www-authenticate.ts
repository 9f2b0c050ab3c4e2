/** One challenge of a `WWW-Authenticate` header (RFC 7235 / RFC 6750 syntax). */
export interface AuthChallenge {
  /** Lowercased: `bearer`, `basic`, … */
  readonly scheme: string;
  /** Parameter names lowercased; values unquoted. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`
 * (several challenges may share one header). Malformed input yields what could be read, never throws.
 */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): AuthChallenge[] {
  const text = Array.isArray(header) ? header.join(', ') : ((header as string | undefined) ?? '');
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  const token = () => {
    const start = i;
    while (i < text.length && !/[\s,=]/.test(text[i] ?? '')) i++;
    return text.slice(start, i);
  };
  while (i < text.length) {
    skipSpace();
    const word = token();
    if (word === '') {
      i++;
      continue;
    }
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === '=' && challenges.length > 0) {
      i++;
      while (text[i] === ' ') i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        value = token();
      }
      const current = challenges[challenges.length - 1];
      if (current) current.params[word.toLowerCase()] = value;
    } else {
      challenges.push({ scheme: word.toLowerCase(), params: {} });
    }
  }
  return challenges;
}
