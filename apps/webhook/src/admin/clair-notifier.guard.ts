import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable, NotFoundException, Optional, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ClairNotifications } from './clair-notifications.service';

/**
 * Clair's notifier authenticates with a shared secret in a header of its choosing
 * (`analyzer.clair.notifier.header`/`token`), not with the admin bearer token. Without a token,
 * or without Clair configured, the endpoint does not exist (404).
 */
@Injectable()
export class ClairNotifierGuard implements CanActivate {
  constructor(@Optional() @Inject(ClairNotifications) private readonly notifications?: ClairNotifications) {}

  canActivate(context: ExecutionContext): boolean {
    const notifications = this.notifications;
    if (!notifications?.enabled)
      throw new NotFoundException('the Clair notifier receiver is off (analyzer.clair.notifier.token)');
    const value = context.switchToHttp().getRequest<FastifyRequest>().headers[notifications.header.toLowerCase()];
    if (!notifications.authenticates(typeof value === 'string' ? value : undefined)) {
      throw new UnauthorizedException(`the ${notifications.header} header does not carry the notifier token`);
    }
    return true;
  }
}
