#!/usr/bin/env bash
# Builds the reference-implementation oracle for @scangate/image-ref: test/oracle/refparse, a
# small Go main over github.com/distribution/reference v0.6.0 (from the Go module proxy).
#
#   ~/.cache/scangate/ref-oracle-v0.6.0/ref-oracle   the binary (never committed)
#   ~/.cache/scangate/ref-oracle-v0.6.0/source.sha256 hash of go.mod + go.sum + main.go it was built from
#
# Skips the build when the binary is present and built from the current sources. Needs Go 1.19+.
set -euo pipefail

VERSION=v0.6.0
SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../oracle/refparse" && pwd)"
OUT_DIR="${HOME}/.cache/scangate/ref-oracle-${VERSION}"
BIN="${OUT_DIR}/ref-oracle"
STAMP="${OUT_DIR}/source.sha256"

source_hash="$(cat "${SRC_DIR}/go.mod" "${SRC_DIR}/go.sum" "${SRC_DIR}/main.go" | sha256sum | cut -d' ' -f1)"
if [[ -x "${BIN}" && -f "${STAMP}" && "$(cat "${STAMP}")" == "${source_hash}" ]]; then
  echo "ref-oracle ${VERSION}: up to date at ${BIN}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "Go toolchain not found: install Go 1.19+ (apt-get install -y golang-go) or run test/peers/build-ref-oracle.sh" >&2
  exit 3
fi

mkdir -p "${OUT_DIR}"
started=$(date +%s.%N)
echo "ref-oracle ${VERSION}: building with $(go version) ..."
tmp="$(mktemp "${OUT_DIR}/ref-oracle.XXXXXX")"
trap 'rm -f "${tmp}"' EXIT
(cd "${SRC_DIR}" && GOFLAGS=-mod=mod go build -trimpath -o "${tmp}" .)
chmod +x "${tmp}"
mv -f "${tmp}" "${BIN}" # atomic: a concurrent reader sees the old binary or the new one
echo "${source_hash}" >"${STAMP}"
finished=$(date +%s.%N)
awk -v v="${VERSION}" -v b="${BIN}" -v s="${started}" -v f="${finished}" \
  'BEGIN { printf "ref-oracle %s: built %s in %.1fs\n", v, b, f - s }'
