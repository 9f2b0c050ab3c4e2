/**
 * A failed call to a scanner. `transient`: worth retrying (timeout, refused connection, 5xx, 429)
 * and counted by the circuit breaker; otherwise the answer will not change (401, 400, bad body).
 */
export class ScannerError extends Error {
  override readonly name = 'ScannerError';
  constructor(
    message: string,
    readonly transient: boolean,
    /** HTTP status, when the scanner answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The circuit is open: the scanner failed repeatedly, so no call is made until `retryAfterMs`. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(
    readonly analyzer: string,
    readonly retryAfterMs: number,
  ) {
    super(`${analyzer} circuit open (scanner failing); next trial in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

/** The caller's signal aborted the call (shutdown, job cancelled): neither retried nor counted. */
export class ScannerCallAborted extends Error {
  override readonly name = 'ScannerCallAborted';
  constructor() {
    super('scanner call aborted');
  }
}
