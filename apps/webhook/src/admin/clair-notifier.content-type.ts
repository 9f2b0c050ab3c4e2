import type { OnModuleInit } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const CLAIR_NOTIFIER_PATH = '/admin/v1/notifications/clair';
const CLAIR_WEBHOOK_TYPE = 'application/vnd.clair.notification_webhook.v1+json';

/**
 * Clair's webhook deliverer (notifier/webhook/deliverer.go, v4.9) POSTs its JSON body with no
 * Content-Type, which the admin listener's JSON-only parser would answer with 415. On this one
 * path a missing (or Clair's vendor) content type is read as JSON; everywhere else stays strict.
 */
@Injectable()
export class ClairNotifierContentType implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request: FastifyRequest, _reply, done) => {
      const type = request.headers['content-type'];
      if (
        request.method === 'POST' &&
        request.url.split('?')[0] === CLAIR_NOTIFIER_PATH &&
        (type === undefined || type === CLAIR_WEBHOOK_TYPE)
      ) {
        request.headers['content-type'] = 'application/json';
      }
      done();
    });
  }
}
