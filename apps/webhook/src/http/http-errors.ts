import { HttpException } from '@nestjs/common';
import { ReviewDecodeError } from '@scangate/kube';

/** The error body of every 4xx/5xx: a stable code and a reason a person can act on. */
export interface HttpErrorBody {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

/**
 * Maps any error to its HTTP status and body. Fastify's body-parser errors (media type, size,
 * malformed JSON, prototype-poisoning keys) reach here as HttpExceptions carrying their status;
 * anything unexpected is a 500 without internals.
 */
export function toHttpError(error: unknown, bodyLimitBytes: number): { status: number; body: HttpErrorBody } {
  if (error instanceof ReviewDecodeError) {
    return { status: 400, body: { code: 'INVALID_REVIEW', message: error.message, field: error.field } };
  }
  if (!(error instanceof HttpException)) return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
  const status = error.getStatus();
  switch (status) {
    case 413:
      return {
        status,
        body: {
          code: 'BODY_TOO_LARGE',
          message: `the request body exceeds server.bodyLimitBytes (${bodyLimitBytes} bytes)`,
        },
      };
    case 415:
      return { status, body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' } };
    case 404:
      return { status, body: { code: 'NOT_FOUND', message: 'no such endpoint' } };
    case 400:
      return { status, body: { code: 'MALFORMED_REQUEST', message: error.message } };
    default:
      return { status, body: { code: status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', message: error.message } };
  }
}
