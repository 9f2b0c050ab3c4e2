import type { AdmissionOperation } from '@scangate/kube';
import type { CompiledPolicy } from '../compiled-policy';
import type { ParsedImageUse, RuleId } from '../policy.types';

export interface ImageCheckFinding {
  readonly rule: RuleId;
  readonly message: string;
}

/** One local rule: pure, no I/O, applied to one parsed image. */
export interface ImageCheck {
  readonly name: string;
  readonly operations: readonly AdmissionOperation[];
  check(image: ParsedImageUse, policy: CompiledPolicy): ImageCheckFinding | undefined;
}

export const WRITE_OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE'];
