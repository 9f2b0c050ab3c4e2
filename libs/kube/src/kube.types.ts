/** Group/version/kind exactly as the API server sent it in `request.kind`. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export type ImageLocationKind = 'container' | 'initContainer' | 'ephemeralContainer' | 'imageVolume';

/** One image reference found in an object, with where it was found. */
export interface ImageLocation {
  /** The reference exactly as written in the object (never normalised here). */
  readonly image: string;
  /** JSON path in the style of the API server: `spec.template.spec.initContainers[1].image`. */
  readonly path: string;
  readonly location: ImageLocationKind;
  /** Container or volume name (may be empty if the object omits it). */
  readonly name: string;
}

/**
 * A structural problem inside the admitted object (e.g. `spec.containers` is not an array,
 * or an `image` that is not a string). The review itself is well formed, so this is answered
 * with a denial naming the path, never with an HTTP error.
 */
export interface ObjectProblem {
  readonly path: string;
  readonly message: string;
}

export interface ExtractionResult {
  readonly images: readonly ImageLocation[];
  readonly problems: readonly ObjectProblem[];
  /**
   * False when the kind is not one that carries a pod spec, or the subresource cannot change
   * images (`status`, `scale`, ...; only the main resource and `pods/ephemeralcontainers` can):
   * the object is then not inspected.
   */
  readonly supportedKind: boolean;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export type AdmissionReviewVersion = 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1';

export interface UserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
}

/** The fields of `AdmissionReview.request` that scangate reads, validated. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: AdmissionOperation;
  readonly userInfo?: UserInfo;
  /** Raw new object; undefined/null for DELETE. */
  readonly object?: unknown;
  /** Raw old object for UPDATE/DELETE. */
  readonly oldObject?: unknown;
  readonly dryRun: boolean;
}

export interface DecodedAdmissionReview {
  readonly apiVersion: AdmissionReviewVersion;
  readonly request: AdmissionRequest;
}

export interface AdmissionStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

/** What scangate answers; encoded into the version that was received. */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: AdmissionStatus;
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

/** imagepolicy.k8s.io/v1alpha1 ImageReview spec, validated. */
export interface ImageReviewSpec {
  readonly containers: readonly { readonly image: string }[];
  readonly annotations: Readonly<Record<string, string>>;
  readonly namespace: string;
}

export interface ImageReviewStatus {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

/** `AdmissionReview.response` as written on the wire by `encodeAdmissionReview`. */
export interface EncodedAdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  /** Only when denied. */
  readonly status?: { readonly code: number; readonly reason?: string; readonly message?: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

export interface EncodedAdmissionReview {
  readonly apiVersion: AdmissionReviewVersion;
  readonly kind: 'AdmissionReview';
  readonly response: EncodedAdmissionResponse;
}

export const IMAGE_REVIEW_API_VERSION = 'imagepolicy.k8s.io/v1alpha1';

/** The ImageReview answer as written on the wire by `encodeImageReview`. */
export interface EncodedImageReview {
  readonly apiVersion: typeof IMAGE_REVIEW_API_VERSION;
  readonly kind: 'ImageReview';
  readonly status: {
    readonly allowed: boolean;
    readonly reason?: string;
    readonly auditAnnotations?: Readonly<Record<string, string>>;
  };
}

/** A malformed review envelope: answered with HTTP 400 and this reason. */
export class ReviewDecodeError extends Error {
  override readonly name = 'ReviewDecodeError';
  constructor(
    message: string,
    /** JSON path of the offending field, e.g. `request.uid`. */
    readonly field: string,
  ) {
    super(message);
  }
}
