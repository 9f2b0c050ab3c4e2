import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { toHttpError } from './http-errors';

/** Every error, from the body parser or a route, answered in one shape. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimitBytes: number,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toHttpError(error, this.bodyLimitBytes);
    if (status >= 500) this.logger.error({ err: error }, 'request failed');
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  }
}
