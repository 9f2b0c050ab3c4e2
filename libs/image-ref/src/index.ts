export * from './image-ref.types';
export { MAX_REFERENCE_INPUT_LENGTH } from './limits';
export {
  type ImageRefParseResult,
  parseCanonicalImageRef,
  parseImageRef,
  tryParseCanonicalImageRef,
  tryParseImageRef,
} from './parse-image-ref';
export { type ReferenceDescription, describeReference } from './describe-reference';
export { isDigestPinned, repositoryOf } from './image-ref.helpers';
