import { DASH, DOT, SLASH, UNDERSCORE, isLowerAlnum } from './char-codes';
import { stepMeter } from './step-meter';

// What the scanner last read inside a path component.
const COMPONENT_START = 0; // nothing yet, or a '/': an alphanumeric must follow
const ALNUM = 1; // `[a-z0-9]`: anything may follow
const AFTER_DOT = 2; // '.': an alphanumeric must follow
const AFTER_UNDERSCORE = 3; // '_': an alphanumeric or a second '_' may follow
const AFTER_DOUBLE_UNDERSCORE = 4; // '__': an alphanumeric must follow
const AFTER_DASH = 5; // one or more '-': an alphanumeric or another '-' may follow

/**
 * distribution/reference `remoteName`, anchored to s[start, end):
 *
 *   path-component ('/' path-component)*
 *   path-component := [a-z0-9]+ ( ( [._] | __ | -+ ) [a-z0-9]+ )*
 *
 * One pass, one state per character.
 */
export function isRemoteName(s: string, start: number, end: number): boolean {
  let state = COMPONENT_START;
  for (let i = start; i < end; i++) {
    stepMeter.steps++;
    const c = s.charCodeAt(i);
    if (isLowerAlnum(c)) {
      state = ALNUM;
      continue;
    }
    switch (state) {
      case ALNUM:
        if (c === DOT) state = AFTER_DOT;
        else if (c === UNDERSCORE) state = AFTER_UNDERSCORE;
        else if (c === DASH) state = AFTER_DASH;
        else if (c === SLASH) state = COMPONENT_START;
        else return false;
        break;
      case AFTER_UNDERSCORE:
        if (c !== UNDERSCORE) return false;
        state = AFTER_DOUBLE_UNDERSCORE;
        break;
      case AFTER_DASH:
        if (c !== DASH) return false;
        break;
      default:
        return false;
    }
  }
  return state === ALNUM;
}
