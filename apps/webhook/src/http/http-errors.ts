import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ReviewDecodeError } from '@scangate/kube';

/** The error body of every 4xx/5xx: a stable code and a reason a person can act on. */
export interface HttpErrorBody {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

const FASTIFY_CODES: Readonly<Record<string, { status: number; code: string; message?: string }>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Content-Type must be application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_CONTENT_LENGTH' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'EMPTY_BODY', message: 'the request body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
};

/** Maps any error to its HTTP status and body; unexpected ones are 500 without internals. */
export function toHttpError(error: unknown, bodyLimitBytes: number): { status: number; body: HttpErrorBody } {
  if (error instanceof ReviewDecodeError) {
    return { status: 400, body: { code: 'INVALID_REVIEW', message: error.message, field: error.field } };
  }
  const fastify = error as Partial<FastifyError> | undefined;
  const known = fastify?.code ? FASTIFY_CODES[fastify.code] : undefined;
  if (known) {
    const message =
      known.status === 413 ? `the request body exceeds server.bodyLimitBytes (${bodyLimitBytes} bytes)` : known.message;
    return { status: known.status, body: { code: known.code, message: message ?? String(fastify?.message) } };
  }
  if (error instanceof SyntaxError || (fastify?.statusCode === 400 && fastify.message)) {
    // JSON.parse and secure-json-parse (prototype-poisoning keys) both land here.
    return { status: 400, body: { code: 'MALFORMED_JSON', message: `malformed JSON: ${(error as Error).message}` } };
  }
  if (fastify?.statusCode === 404) return { status: 404, body: { code: 'NOT_FOUND', message: 'no such endpoint' } };
  if (fastify?.statusCode && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { status: fastify.statusCode, body: { code: 'BAD_REQUEST', message: String(fastify.message) } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };
}

/** Installed as Fastify's error handler so body-parser errors and route errors share one contract. */
export function httpErrorHandler(logger: Logger, bodyLimitBytes: number) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = toHttpError(error, bodyLimitBytes);
    if (status >= 500) logger.error({ err: error, url: request.url }, 'request failed');
    else logger.debug({ code: body.code, url: request.url }, 'request rejected');
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  };
}
