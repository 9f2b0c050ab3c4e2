import { Body, Controller, Inject, Post, Res } from '@nestjs/common';
import { AdmissionReviewer } from '@scangate/policy';
import type { ReviewOutcome } from '@scangate/policy';
import type { FastifyReply } from 'fastify';
import { AdmissionRecorder } from './admission-recorder';

/**
 * The API server's door. The body is sent as the exact string `scangate review --output json`
 * prints, so both answer byte for byte alike. Malformed envelopes throw ReviewDecodeError (400).
 */
@Controller()
export class AdmissionController {
  constructor(
    @Inject(AdmissionReviewer) private readonly reviewer: AdmissionReviewer,
    @Inject(AdmissionRecorder) private readonly recorder: AdmissionRecorder,
  ) {}

  @Post('validate')
  async validate(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const startedAt = process.hrtime.bigint();
    await this.answer(await this.reviewer.reviewAdmission(body), 'validate', reply, startedAt);
  }

  @Post('imagereview')
  async imageReview(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const startedAt = process.hrtime.bigint();
    await this.answer(await this.reviewer.reviewImages(body), 'imagereview', reply, startedAt);
  }

  private async answer(
    outcome: ReviewOutcome,
    endpoint: string,
    reply: FastifyReply,
    startedAt: bigint,
  ): Promise<void> {
    this.recorder.record(outcome, endpoint, startedAt);
    await reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(outcome.body));
  }
}
