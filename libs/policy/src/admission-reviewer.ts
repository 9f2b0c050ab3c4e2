import type { AdmissionConfig, AdmissionMode, PolicyConfig } from '@scangate/config';
import type { AdmissionRequest, AdmissionResponse, ExtractionResult } from '@scangate/kube';
import {
  decodeAdmissionReview,
  decodeImageReview,
  encodeAdmissionReview,
  encodeImageReview,
  extractImages,
  extractImagesFromImageReview,
} from '@scangate/kube';
import type { AuditDecision } from './audit-annotations';
import { auditAnnotations } from './audit-annotations';
import { breakGlassReason, imageReviewBreakGlassReason } from './break-glass';
import type { DecisionRecord, ReviewOutcome } from './decision-record';
import { denialMessage, truncate, violationWarnings } from './denial-message';
import type { ImageAnalysisPort } from './image-analysis.port';
import type { Evaluation } from './image-evaluator';
import { ImageEvaluator } from './image-evaluator';
import { NamespacePolicies } from './namespace-policy';
import type { Violation } from './policy.types';

export interface ReviewerSettings {
  readonly admission: AdmissionConfig;
  readonly policy: PolicyConfig;
}

/** The decision before it is encoded in the version that was asked. */
interface Verdict {
  readonly allowed: boolean;
  readonly message?: string;
  readonly warnings: readonly string[];
  readonly annotations: Record<string, string>;
  readonly record: Omit<DecisionRecord, 'uid' | 'dryRun' | 'operation' | 'kind' | 'namespace' | 'name'>;
}

const WARNING_PREFIX = 'scangate: ';

/**
 * The admission pipeline shared by `POST /validate`, `POST /imagereview` and `scangate review`:
 * decode and validate the envelope (a ReviewDecodeError means HTTP 400), decide, encode in the
 * version received. Once a review is decoded it is always answered with its uid: a failure while
 * deciding is answered by `admission.onError`.
 */
export class AdmissionReviewer {
  private readonly namespaces: NamespacePolicies;
  private readonly evaluator: ImageEvaluator;

  constructor(
    private readonly settings: ReviewerSettings,
    private readonly analysis: ImageAnalysisPort,
    now: () => number = Date.now,
  ) {
    this.namespaces = new NamespacePolicies(settings.admission, settings.policy);
    this.evaluator = new ImageEvaluator(settings.admission, analysis, now);
  }

  async reviewAdmission(body: unknown): Promise<ReviewOutcome> {
    const review = decodeAdmissionReview(body);
    const { request } = review;
    const verdict = await this.guard(() => this.decideAdmission(request));
    const response: AdmissionResponse = {
      uid: request.uid,
      allowed: verdict.allowed,
      ...(verdict.allowed ? {} : { status: { code: 403, reason: 'Forbidden', message: verdict.message ?? '' } }),
      ...(verdict.warnings.length > 0 ? { warnings: verdict.warnings } : {}),
      auditAnnotations: verdict.annotations,
    };
    return {
      body: encodeAdmissionReview(review.apiVersion, response),
      record: {
        ...verdict.record,
        uid: request.uid,
        dryRun: request.dryRun,
        operation: request.operation,
        kind: request.kind.kind,
        ...(request.namespace !== undefined ? { namespace: request.namespace } : {}),
        ...(request.name !== undefined ? { name: request.name } : {}),
      },
    };
  }

  async reviewImages(body: unknown): Promise<ReviewOutcome> {
    const spec = decodeImageReview(body);
    const namespace = spec.namespace === '' ? undefined : spec.namespace;
    const verdict = await this.guard(() =>
      this.decide({
        namespace,
        extraction: { images: extractImagesFromImageReview(spec), problems: [], supportedKind: true },
        breakGlass: imageReviewBreakGlassReason(this.settings.admission.breakGlass, spec.annotations),
        operation: 'CREATE',
        dryRun: false,
      }),
    );
    return {
      body: encodeImageReview({
        allowed: verdict.allowed,
        ...(verdict.allowed ? {} : { reason: verdict.message ?? '' }),
        auditAnnotations: verdict.annotations,
      }),
      record: { ...verdict.record, uid: '', dryRun: false, kind: 'ImageReview', ...(namespace ? { namespace } : {}) },
    };
  }

  private decideAdmission(request: AdmissionRequest): Promise<Verdict> {
    const skip = this.skipped(request);
    if (skip) return Promise.resolve(skip);
    return this.decide({
      namespace: request.namespace,
      extraction: extractImages(request.kind, request.object, request.subResource),
      breakGlass: breakGlassReason(this.settings.admission.breakGlass, request.kind, request.object),
      operation: request.operation,
      dryRun: request.dryRun,
    });
  }

  /** DELETE/CONNECT, subresources other than ephemeralcontainers, and kinds without pods pass untouched. */
  private skipped(request: AdmissionRequest): Verdict | undefined {
    const untouched =
      request.operation === 'DELETE' ||
      request.operation === 'CONNECT' ||
      (request.subResource !== undefined &&
        request.subResource !== '' &&
        request.subResource !== 'ephemeralcontainers');
    return untouched ? this.allow('skipped', this.settings.admission.mode, 'not-applicable') : undefined;
  }

  private async decide(input: {
    namespace: string | undefined;
    extraction: ExtractionResult;
    breakGlass: string | undefined;
    operation: AdmissionRequest['operation'];
    dryRun: boolean;
  }): Promise<Verdict> {
    const { extraction, namespace } = input;
    if (!extraction.supportedKind) return this.allow('skipped', this.settings.admission.mode, 'not-applicable');
    if (this.namespaces.isExempt(namespace)) return this.allow('exempt', this.settings.admission.mode, 'exempt');

    const settings = this.namespaces.settingsFor(namespace);
    const images = extraction.images.length;
    if (input.breakGlass !== undefined) {
      return {
        allowed: true,
        warnings: [truncate(`${WARNING_PREFIX}break-glass used (${input.breakGlass}); images were not checked`, 120)],
        annotations: auditAnnotations({ decision: 'break-glass', mode: settings.mode, breakGlass: input.breakGlass }),
        record: {
          decision: 'allow',
          mode: settings.mode,
          reason: 'break-glass',
          violations: [],
          images,
          breakGlass: input.breakGlass,
        },
      };
    }

    const evaluation = await this.evaluator.evaluate({
      operation: input.operation,
      images: extraction.images,
      problems: extraction.problems,
      settings,
      dryRun: input.dryRun,
      ...(namespace !== undefined ? { namespace } : {}),
    });
    return this.byMode(settings.mode, evaluation, images);
  }

  /** enforce denies; warn allows with warnings; audit allows silently and records. */
  private byMode(mode: AdmissionMode, evaluation: Evaluation, images: number): Verdict {
    const { violations, notices, digests } = evaluation;
    const analyzer = this.analysis.analyzer;
    const noticeWarnings = violationWarnings(notices, WARNING_PREFIX);
    const record = { mode, violations, images } as const;
    if (violations.length === 0) {
      return {
        allowed: true,
        warnings: noticeWarnings,
        annotations: auditAnnotations({ decision: 'allowed', mode, analyzer, digests, violations: notices }),
        record: { ...record, decision: 'allow', reason: 'passed' },
      };
    }
    if (mode === 'enforce') {
      return {
        allowed: false,
        message: denialMessage(violations),
        warnings: noticeWarnings,
        annotations: auditAnnotations({ decision: 'denied', mode, analyzer, digests, violations }),
        record: { ...record, decision: 'deny', reason: 'violations' },
      };
    }
    const decision: AuditDecision = mode === 'warn' ? 'warned' : 'audited';
    return {
      allowed: true,
      warnings: mode === 'warn' ? violationWarnings([...violations, ...notices], WARNING_PREFIX) : [],
      annotations: auditAnnotations({ decision, mode, analyzer, digests, violations }),
      record: { ...record, decision: 'allow', reason: 'violations' },
    };
  }

  private allow(decision: AuditDecision, mode: AdmissionMode, reason: DecisionRecord['reason']): Verdict {
    return {
      allowed: true,
      warnings: [],
      annotations: auditAnnotations({ decision, mode }),
      record: { decision: 'allow', mode, reason, violations: [], images: 0 },
    };
  }

  /** A failure while deciding is not a verdict: `admission.onError` answers, fail-closed by default. */
  private async guard(decide: () => Promise<Verdict>): Promise<Verdict> {
    try {
      return await decide();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const { mode, onError } = this.settings.admission;
      const violation: Violation = {
        rule: 'analysis-error',
        image: '',
        path: 'request',
        message: `scangate could not evaluate the request (${truncate(message, 200)}); retry later`,
      };
      const allowed = onError === 'allow';
      return {
        allowed,
        ...(allowed ? {} : { message: denialMessage([violation]) }),
        warnings: allowed ? violationWarnings([violation], WARNING_PREFIX) : [],
        annotations: auditAnnotations({ decision: 'error', mode }),
        record: {
          decision: allowed ? 'allow' : 'deny',
          mode,
          reason: 'internal-error',
          violations: [violation],
          images: 0,
          error: message,
        },
      };
    }
  }
}
