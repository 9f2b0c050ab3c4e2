import { createHash, timingSafeEqual } from 'node:crypto';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ADMIN_TOKEN } from '../tokens';

/**
 * `Authorization: Bearer <admin.token>`, compared in constant time (hashes of equal length, so
 * neither the content nor the length of the token leaks through timing).
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(ADMIN_TOKEN) token: string) {
    this.expected = createHash('sha256').update(token).digest();
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    const digest = createHash('sha256').update(presented).digest();
    if (presented === '' || !timingSafeEqual(digest, this.expected)) {
      throw new UnauthorizedException('a valid bearer token is required (admin.token)');
    }
    return true;
  }
}
