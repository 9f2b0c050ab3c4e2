import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Optional,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { tryParseImageRef } from '@scangate/image-ref';
import type { AnalysisJobState, AnalysisJobStatus, AnalysisQueue, EnqueueResult } from '@scangate/queue';
import { ANALYSIS_QUEUE } from '@scangate/queue';
import type { FlushResult, Verdict, VerdictStore } from '@scangate/verdicts';
import { VERDICT_STORE } from '@scangate/verdicts';
import type { AnalyzerIdentity } from '../analysis/cached-analysis';
import { ANALYZER_IDENTITY } from '../tokens';
import { AnalysisRequestDto } from './analysis-request.dto';
import { BearerTokenGuard } from './bearer-token.guard';
import { imageFilter } from './image-filter';
import ADMIN_OPENAPI from './admin.openapi.json';

const MAX_LISTED = 1000;

/** The operator's API (PRODUCT.md §5), bearer token required; documented in admin.openapi.json. */
@Controller('admin/v1')
@UseGuards(BearerTokenGuard)
export class AdminController {
  constructor(
    @Inject(VERDICT_STORE) private readonly store: VerdictStore,
    @Optional() @Inject(ANALYSIS_QUEUE) private readonly queue?: AnalysisQueue,
    @Optional() @Inject(ANALYZER_IDENTITY) private readonly identity?: AnalyzerIdentity,
  ) {}

  @Get('verdicts')
  async list(
    @Query('image') image?: string,
    @Query('limit') limit?: string,
  ): Promise<{ count: number; verdicts: Verdict[] }> {
    const max = limit === undefined ? MAX_LISTED : Number(limit);
    if (!Number.isInteger(max) || max < 1 || max > MAX_LISTED)
      throw new BadRequestException(`limit: an integer from 1 to ${MAX_LISTED}`);
    const verdicts = await this.store.listVerdicts(imageFilter(image), max);
    return { count: verdicts.length, verdicts };
  }

  @Delete('verdicts')
  async flush(@Query('image') image?: string): Promise<{ flushed: FlushResult }> {
    return { flushed: await this.store.flush(imageFilter(image)) };
  }

  @Post('analyses')
  @HttpCode(202)
  async analyse(@Body() request: AnalysisRequestDto): Promise<EnqueueResult & { reference: string }> {
    const { queue, identity } = this.analysis();
    const parsed = tryParseImageRef(request.image);
    if (!parsed.ok) throw new BadRequestException(`image: ${parsed.error.message}`);
    const reference = parsed.ref.canonical;
    const result = await queue.enqueue(
      { reference, analyzer: identity.name, fingerprint: identity.fingerprint },
      { force: true },
    );
    return { ...result, reference };
  }

  @Get('analyses/:id')
  async job(@Param('id') id: string): Promise<AnalysisJobStatus> {
    const status = await this.analysis().queue.status(id);
    if (!status) throw new NotFoundException(`no analysis job ${id}`);
    return status;
  }

  @Get('queue')
  async counts(): Promise<{ counts: Record<AnalysisJobState, number> }> {
    return { counts: await this.analysis().queue.counts() };
  }

  @Get('openapi.json')
  openapi(): unknown {
    return ADMIN_OPENAPI;
  }

  private analysis(): { queue: AnalysisQueue; identity: AnalyzerIdentity } {
    if (!this.queue || !this.identity) throw new ConflictException('no analyzer is configured (analyzer.type: none)');
    return { queue: this.queue, identity: this.identity };
  }
}
