import type { Command } from 'commander';
import { ReviewDecodeError } from '@scangate/kube';
import type { ReviewOutcome } from '@scangate/policy';
import { AdmissionReviewer } from '@scangate/policy';
import { createLogger } from '@scangate/logging';
import { createAnalysisRuntime, createAnalyzer, createMetricsRegistry } from '@scangate/webhook';
import { loadConfigOrExit } from '../io/load-config';
import { readInput } from '../io/read-input';
import { reviewRequestsOf } from '../review/manifest-review';
import { summarize } from '../review/review-summary';

/**
 * `scangate review FILE|-`: the same pipeline as `/validate`, offline. `--output json` prints the
 * exact AdmissionReview (or ImageReview) the server would answer, one per document.
 * Exit status: 0 all allowed, 1 any denied, 2 unusable input.
 */
export function registerReviewCommand(program: Command): void {
  program
    .command('review')
    .description('evaluate manifests (wrapped as CREATE) or AdmissionReview/ImageReview documents offline')
    .argument('<file>', 'YAML or JSON file, or - for stdin; multi-document YAML is reviewed document by document')
    .option('-c, --config <file>', 'config file (default: $SCANGATE_CONFIG; none: embedded defaults)')
    .option('-o, --output <format>', 'summary | json', 'summary')
    .action(async (file: string, options: { config?: string; output: string }) => {
      if (options.output !== 'summary' && options.output !== 'json') {
        throw new Error(`--output must be summary or json (got ${JSON.stringify(options.output)})`);
      }
      const { config } = loadConfigOrExit(options.config);
      const analyzer = createAnalyzer(config);
      const runtime = createAnalysisRuntime({
        config,
        logger: createLogger('warn'),
        registry: createMetricsRegistry(),
        ...(analyzer ? { analyzer } : {}),
      });
      const reviewer = new AdmissionReviewer({ admission: config.admission, policy: config.policy }, runtime.analysis);
      const requests = reviewRequestsOf(readInput(file));
      let denied = false;
      try {
        for (const request of requests) {
          let outcome: ReviewOutcome;
          try {
            outcome =
              request.endpoint === 'imagereview'
                ? await reviewer.reviewImages(request.body)
                : await reviewer.reviewAdmission(request.body);
          } catch (error) {
            if (!(error instanceof ReviewDecodeError)) throw error;
            throw new Error(`${request.source}: invalid review (${error.field}): ${error.message}`);
          }
          denied ||= outcome.record.decision === 'deny';
          process.stdout.write(
            options.output === 'json' ? `${JSON.stringify(outcome.body)}\n` : summarize(request.source, outcome),
          );
        }
      } finally {
        await runtime.close();
      }
      process.exitCode = denied ? 1 : 0;
    });
}
