// Character-class tests by char code: the parser uses no regular expressions at all.

export const SLASH = 0x2f; // /
export const COLON = 0x3a; // :
export const AT = 0x40; // @
export const DOT = 0x2e; // .
export const DASH = 0x2d; // -
export const UNDERSCORE = 0x5f; // _
export const PLUS = 0x2b; // +
export const EQUALS = 0x3d; // =
export const OPEN_BRACKET = 0x5b; // [
export const CLOSE_BRACKET = 0x5d; // ]

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isLowerLetter(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

export function isUpperLetter(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

export function isLetter(c: number): boolean {
  return isLowerLetter(c) || isUpperLetter(c);
}

/** `[a-z0-9]` */
export function isLowerAlnum(c: number): boolean {
  return isLowerLetter(c) || isDigit(c);
}

/** `[a-zA-Z0-9]` */
export function isAlnum(c: number): boolean {
  return isLetter(c) || isDigit(c);
}

/** `\w` in Go's RE2: `[0-9A-Za-z_]` (ASCII only). */
export function isWordChar(c: number): boolean {
  return isAlnum(c) || c === UNDERSCORE;
}

/** `[[:xdigit:]]`: `[0-9A-Fa-f]` */
export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** `[a-f0-9]` */
export function isLowerHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x61 && c <= 0x66);
}
