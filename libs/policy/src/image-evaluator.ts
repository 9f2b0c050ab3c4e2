import type { AdmissionConfig } from '@scangate/config';
import type { ImageRef } from '@scangate/image-ref';
import { tryParseImageRef } from '@scangate/image-ref';
import type { AdmissionOperation, ImageLocation, ObjectProblem } from '@scangate/kube';
import { LOCAL_CHECKS } from './checks';
import type { AnalysisOutcome, ImageAnalysisPort } from './image-analysis.port';
import type { NamespaceSettings } from './namespace-policy';
import type { ParsedImageUse, Violation } from './policy.types';

export interface EvaluationInput {
  readonly operation: AdmissionOperation;
  readonly images: readonly ImageLocation[];
  readonly problems: readonly ObjectProblem[];
  readonly settings: NamespaceSettings;
  readonly dryRun: boolean;
  readonly namespace?: string;
}

export interface Evaluation {
  readonly violations: readonly Violation[];
  /** Allowed-with-a-warning outcomes (`onPending: allow`, `onError: allow`). */
  readonly notices: readonly Violation[];
  /** Manifest digests that verdicts were about, for audit annotations. */
  readonly digests: readonly string[];
}

/**
 * Runs the local checks on every image, then asks the analysis port about the images that
 * passed them (once per distinct reference), within the admission budget.
 */
export class ImageEvaluator {
  constructor(
    private readonly admission: AdmissionConfig,
    private readonly analysis: ImageAnalysisPort,
    private readonly now: () => number = Date.now,
  ) {}

  async evaluate(input: EvaluationInput): Promise<Evaluation> {
    const violations: Violation[] = input.problems.map((p) => ({
      rule: 'malformed-object',
      image: '',
      path: p.path,
      message: p.message,
    }));
    const toAnalyse = new Map<string, { ref: ImageRef; uses: ParsedImageUse[] }>();

    for (const location of input.images) {
      const parsed = tryParseImageRef(location.image);
      if (!parsed.ok) {
        violations.push({
          rule: 'malformed-reference',
          image: location.image,
          path: location.path,
          message: `is not a valid image reference: ${parsed.error.message}`,
        });
        continue;
      }
      const use: ParsedImageUse = { location, ref: parsed.ref };
      const findings = LOCAL_CHECKS.filter((c) => c.operations.includes(input.operation)).flatMap((check) => {
        const finding = check.check(use, input.settings.policy);
        return finding ? [finding] : [];
      });
      for (const finding of findings) {
        violations.push({ ...finding, image: location.image, path: location.path });
      }
      if (findings.length > 0 || input.settings.policy.allowedImages.some((p) => p.matches(parsed.ref))) continue;
      const entry = toAnalyse.get(parsed.ref.canonical) ?? { ref: parsed.ref, uses: [] };
      entry.uses.push(use);
      toAnalyse.set(parsed.ref.canonical, entry);
    }

    const subjects = [...toAnalyse.values()];
    const outcomes =
      subjects.length === 0
        ? []
        : await this.assess(
            subjects.map((s) => s.ref),
            input,
          );
    const notices: Violation[] = [];
    const digests = new Set<string>();
    subjects.forEach((subject, index) => {
      const outcome = outcomes[index] ?? { kind: 'error', reason: 'the analyzer returned no outcome' };
      if (outcome.kind === 'verdict' && outcome.digest) digests.add(outcome.digest);
      const finding = this.findingFor(outcome);
      if (!finding) return;
      for (const use of subject.uses) {
        const violation = { ...finding.violation, image: use.location.image, path: use.location.path };
        (finding.blocking ? violations : notices).push(violation);
      }
    });
    return { violations, notices, digests: [...digests] };
  }

  private async assess(refs: readonly ImageRef[], input: EvaluationInput): Promise<readonly AnalysisOutcome[]> {
    try {
      return await this.analysis.assess(refs, {
        dryRun: input.dryRun,
        deadline: this.now() + this.admission.waitBudgetMs,
        ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return refs.map(() => ({ kind: 'error', reason }));
    }
  }

  private findingFor(
    outcome: AnalysisOutcome,
  ): { blocking: boolean; violation: Omit<Violation, 'image' | 'path'> } | undefined {
    switch (outcome.kind) {
      case 'verdict':
        return outcome.allowed
          ? undefined
          : {
              blocking: true,
              violation: {
                rule: 'analysis-denied',
                message: `was denied by the ${this.analysis.analyzer} analyzer${outcome.reason ? `: ${outcome.reason}` : ''}`,
              },
            };
      case 'pending':
        return {
          blocking: this.admission.onPending === 'deny',
          violation: {
            rule: 'analysis-pending',
            message: outcome.reason
              ? `has no verdict yet: ${outcome.reason}`
              : 'is being analysed; the request will pass once a verdict is ready (controllers retry by themselves)',
          },
        };
      case 'error':
        return {
          blocking: this.admission.onError === 'deny',
          violation: { rule: 'analysis-error', message: `could not be analysed: ${outcome.reason}` },
        };
    }
  }
}
