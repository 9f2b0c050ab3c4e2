import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { READINESS_CHECKS } from '../tokens';
import type { ReadinessCheck } from './readiness';

/** Liveness never depends on Redis or a scanner; readiness reflects the checks it is given. */
@Controller()
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[]) {}

  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    const results = await Promise.all(
      this.checks.map(async (check) => ({ name: check.name, ready: await check.isReady().catch(() => false) })),
    );
    const ready = results.every((r) => r.ready);
    await reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  }
}
