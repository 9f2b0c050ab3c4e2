import { isAxiosError } from 'axios';
import { ScannerError } from './scanner-errors';

/** Network failures worth retrying: the scanner is down, restarting or overloaded. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Whether an HTTP status from a scanner is worth retrying: 408, 429 and 5xx. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * A ScannerError for an axios failure: transient for network errors, 408, 429 and 5xx; permanent
 * for the other 4xx (the request or the credentials are wrong and retrying cannot help).
 * `what` names the call (`Clair POST index_report`).
 */
export function scannerErrorOf(what: string, error: unknown): ScannerError {
  if (error instanceof ScannerError) return error;
  if (isAxiosError(error)) {
    const status = error.response?.status;
    if (status !== undefined) return new ScannerError(`${what}: HTTP ${status}`, isTransientStatus(status), status);
    const code = error.code ?? 'network error';
    // An abort is reported by the guard itself; anything else without a response is the network.
    const transient = TRANSIENT_CODES.has(code) || code === 'ERR_CANCELED' || error.code === undefined;
    return new ScannerError(`${what}: ${code}${error.message ? ` (${error.message})` : ''}`, transient);
  }
  return new ScannerError(`${what}: ${error instanceof Error ? error.message : String(error)}`, false);
}
