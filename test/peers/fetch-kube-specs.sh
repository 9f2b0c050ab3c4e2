#!/usr/bin/env bash
# Fetches the Kubernetes reference data test/harness/kube-schemas.ts checks against, from the Go
# module proxy (a download of seconds, nothing to build):
#   ~/.cache/scangate/kube-openapi-<KUBE_VERSION>/*.json
#       k8s.io/kubernetes api/openapi-spec/v3/: the OpenAPI v3 documents of the release the
#       kube-apiserver tests run (build-kube-apiserver.sh downloads the same module)
#   ~/.cache/scangate/kube-api-testdata-<KUBE_API_VERSION>/*.json
#       k8s.io/api testdata/HEAD/: the API's round-trip fixtures (AdmissionReview, ImageReview, …)
set -euo pipefail
source "$(dirname "$0")/go-peer.lib.sh"
KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
KUBE_API_VERSION="${KUBE_API_VERSION:-v0.36.3}" # tag kubernetes-1.36.3
OPENAPI_DIR="${HOME}/.cache/scangate/kube-openapi-${KUBE_VERSION}"
TESTDATA_DIR="${HOME}/.cache/scangate/kube-api-testdata-${KUBE_API_VERSION}"

if [[ -d "${OPENAPI_DIR}" ]]; then
  echo "kube-openapi ${KUBE_VERSION}: present at ${OPENAPI_DIR}"
else
  fetch_module_files kube-openapi k8s.io/kubernetes "${KUBE_VERSION}" "${OPENAPI_DIR}" 'api/openapi-spec/v3/*.json'
fi
if [[ -d "${TESTDATA_DIR}" ]]; then
  echo "kube-api-testdata ${KUBE_API_VERSION}: present at ${TESTDATA_DIR}"
else
  fetch_module_files kube-api-testdata k8s.io/api "${KUBE_API_VERSION}" "${TESTDATA_DIR}" 'testdata/HEAD/*.json'
fi
