/** A policy setting that cannot be compiled; raised at boot, naming every bad key. */
export class PolicyCompileError extends Error {
  override readonly name = 'PolicyCompileError';
  readonly code = 'POLICY_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid policy:\n  ${problems.join('\n  ')}`);
  }
}
