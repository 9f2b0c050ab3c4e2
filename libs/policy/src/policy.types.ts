import type { ImageRef } from '@scangate/image-ref';
import type { ImageLocation } from '@scangate/kube';

/** Why an image (or the object) was refused; stable ids, used in messages and metrics. */
export type RuleId =
  | 'malformed-object'
  | 'malformed-reference'
  | 'registry-not-allowed'
  | 'image-denied'
  | 'latest-tag'
  | 'untagged'
  | 'digest-required'
  | 'analysis-denied'
  | 'analysis-pending'
  | 'analysis-error';

export interface Violation {
  readonly rule: RuleId;
  /** The reference as written in the object ('' for object-level problems). */
  readonly image: string;
  readonly path: string;
  /** What is wrong and what to do, without the image or path (the formatter adds them). */
  readonly message: string;
}

/** An image found in the object, with its parse result. */
export interface ImageUse {
  readonly location: ImageLocation;
  readonly ref?: ImageRef;
  /** The parser's reason when the reference is malformed. */
  readonly parseError?: string;
}

/** A parsed image as the local checks see it. */
export interface ParsedImageUse extends ImageUse {
  readonly ref: ImageRef;
}

export type Decision = 'allow' | 'deny';
