export * from './kube.types';
export {
  ADMISSION_OPERATIONS,
  ADMISSION_REVIEW_VERSIONS,
  MAX_UID_LENGTH,
  decodeAdmissionReview,
  encodeAdmissionReview,
  isAdmissionReviewVersion,
} from './admission-review.codec';
export { decodeImageReview, encodeImageReview } from './image-review.codec';
export { changedImages, extractImages, extractImagesFromImageReview } from './image-extractor';
export {
  EPHEMERAL_CONTAINERS_SUBRESOURCE,
  podMetadataPath,
  podSpecLocationFor,
  resourceForKind,
} from './workload-kinds';
export type { PodSpecLocation, PodSpecScope } from './workload-kinds';
