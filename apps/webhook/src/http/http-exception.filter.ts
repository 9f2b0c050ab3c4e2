import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { toHttpError } from './http-errors';

/** Route errors (ReviewDecodeError, Nest's own HttpExceptions, bugs) answered in one shape. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimitBytes: number,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const code = status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST';
      void reply.code(status).type('application/json; charset=utf-8').send({ code, message: error.message });
      return;
    }
    const { status, body } = toHttpError(error, this.bodyLimitBytes);
    if (status >= 500) this.logger.error({ err: error }, 'request failed');
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  }
}
