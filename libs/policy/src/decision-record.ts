import type { AdmissionMode } from '@scangate/config';
import type { Decision, Violation } from './policy.types';

/**
 * How a review was decided: what the webhook logs and counts. `reason` is a low-cardinality
 * label (a rule id or one of the fixed words below), never an image or a namespace.
 */
export type DecisionReason = 'passed' | 'violations' | 'exempt' | 'break-glass' | 'not-applicable' | 'internal-error';

export interface DecisionRecord {
  readonly uid: string;
  readonly decision: Decision;
  readonly mode: AdmissionMode;
  readonly reason: DecisionReason;
  readonly violations: readonly Violation[];
  readonly images: number;
  readonly dryRun: boolean;
  readonly operation?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly breakGlass?: string;
  /** Set when evaluation failed and `onError` decided. */
  readonly error?: string;
}

/** A review answered: the exact JSON body to send and how it was decided. */
export interface ReviewOutcome {
  readonly body: object;
  readonly record: DecisionRecord;
}
