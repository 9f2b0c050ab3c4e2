import { Body, Controller, Inject, Post, Res } from '@nestjs/common';
import { AdmissionReviewer } from '@scangate/policy';
import type { ReviewOutcome } from '@scangate/policy';
import type { FastifyReply } from 'fastify';
import { DecisionLogger } from '../logging/decision.logger';

/**
 * The API server's door. The body is sent as the exact string `scangate review --output json`
 * prints, so both answer byte for byte alike. Malformed envelopes throw ReviewDecodeError (400).
 */
@Controller()
export class AdmissionController {
  constructor(
    @Inject(AdmissionReviewer) private readonly reviewer: AdmissionReviewer,
    @Inject(DecisionLogger) private readonly decisions: DecisionLogger,
  ) {}

  @Post('validate')
  async validate(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(await this.reviewer.reviewAdmission(body), 'validate', reply);
  }

  @Post('imagereview')
  async imageReview(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(await this.reviewer.reviewImages(body), 'imagereview', reply);
  }

  private async answer(outcome: ReviewOutcome, endpoint: string, reply: FastifyReply): Promise<void> {
    this.decisions.record(outcome.record, endpoint);
    await reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(outcome.body));
  }
}
