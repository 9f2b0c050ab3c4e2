#!/usr/bin/env bash
# Builds Clair v4 and clairctl (the Clair adapter's real peer) from the Go module proxy:
#   ~/.cache/scangate/clair-<version>/{clair,clairctl}
# Skips the build when both binaries are present. Clair v4.9 needs Go ≥ 1.24.9.
set -euo pipefail
source "$(dirname "$0")/go-peer.lib.sh"
VERSION="${CLAIR_VERSION:-v4.9.0}"
OUT_DIR="${HOME}/.cache/scangate/clair-${VERSION}"
if [[ -x "${OUT_DIR}/clair" && -x "${OUT_DIR}/clairctl" ]]; then
  echo "clair ${VERSION}: present at ${OUT_DIR}"
  exit 0
fi
build_module_peer clair github.com/quay/clair/v4 "${VERSION}" "${OUT_DIR}" cmd/clair cmd/clairctl
