import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Where test/peers/fetch-kube-specs.sh puts the Kubernetes reference data it takes from the Go
// module proxy: the OpenAPI v3 documents of the release the kube-apiserver tests run
// (k8s.io/kubernetes api/openapi-spec/v3/) and the API's round-trip fixtures (k8s.io/api testdata/HEAD/).

/** The Kubernetes release the tests run (kube-apiserver, kubectl) and validate against (OpenAPI). */
export const KUBE_VERSION = process.env['KUBE_VERSION'] ?? 'v1.34.4';
/** The k8s.io/api module whose round-trip fixtures shape AdmissionReview/ImageReview responses. */
export const KUBE_API_VERSION = process.env['KUBE_API_VERSION'] ?? 'v0.36.3';

const cache = join(homedir(), '.cache', 'scangate');
export const KUBE_OPENAPI_DIR = join(cache, `kube-openapi-${KUBE_VERSION}`);
export const KUBE_API_TESTDATA_DIR = join(cache, `kube-api-testdata-${KUBE_API_VERSION}`);

/** Throws one line naming the missing directory and the command that fetches it. */
export function requireKubeSpecs(): void {
  const missing = [KUBE_OPENAPI_DIR, KUBE_API_TESTDATA_DIR].filter((dir) => !existsSync(dir));
  if (missing.length === 0) return;
  throw new Error(
    `Kubernetes reference data missing at ${missing.join(' and ')}: fetch it with ` +
      '`bash test/peers/fetch-kube-specs.sh` (k8s.io/kubernetes and k8s.io/api from the Go module proxy, seconds)',
  );
}
