import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';

/**
 * The only body parser: JSON, within the body limit. Keys that could pollute prototypes
 * (`__proto__`, `constructor.prototype`) are refused with a reason rather than silently dropped:
 * no Kubernetes object has them, so their presence means a forged request.
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(new BadRequestException('the request body is empty'), undefined);
      return;
    }
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(new BadRequestException(`malformed JSON: ${(error as Error).message}`), undefined);
    }
  });
}
