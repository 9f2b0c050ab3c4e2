#!/usr/bin/env bash
# Builds Helm 3 (chart lint/template/install tests) from the Go module proxy:
#   ~/.cache/scangate/helm-<version>/helm
set -euo pipefail
source "$(dirname "$0")/go-peer.lib.sh"
VERSION="${HELM_VERSION:-v3.21.4}"
OUT_DIR="${HOME}/.cache/scangate/helm-${VERSION}"
if [[ -x "${OUT_DIR}/helm" ]]; then
  echo "helm ${VERSION}: present at ${OUT_DIR}/helm"
  exit 0
fi
go_install_peer helm "${VERSION}" "${OUT_DIR}" helm.sh/helm/v3/cmd/helm
