#!/usr/bin/env bash
# Builds Open Policy Agent, the benchmark peer of `pnpm bench`, from the Go module proxy.
#
#   ~/.cache/scangate/opa-<version>/opa   the binary (never committed)
#
# Skips the build when the binary is present. Needs Go 1.26+ (OPA v1.22's go.mod says `go 1.26.0`).
# The module is fetched with `go mod download` and built from its own directory in the module
# cache, with its own go.mod and go.sum: that is how a module whose go.mod carries replace
# directives pointing inside itself must be built (`go install module@version` refuses those),
# and it builds exactly the dependency versions the release was tested with. OPA v1.22.2 has no
# replace directive today; the script checks and says so either way.
set -euo pipefail

VERSION="${OPA_VERSION:-v1.22.2}"
MODULE=github.com/open-policy-agent/opa
OUT_DIR="${HOME}/.cache/scangate/opa-${VERSION}"
BIN="${OUT_DIR}/opa"

if [[ -x "${BIN}" ]]; then
  echo "opa ${VERSION}: present at ${BIN}"
  exit 0
fi

GO="$(command -v go || true)"
if [[ -z "${GO}" && -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi
if [[ -z "${GO}" ]]; then
  echo "Go toolchain not found: install Go 1.26+ (https://go.dev/dl/) and rerun bash test/peers/build-opa.sh" >&2
  exit 3
fi

mkdir -p "${OUT_DIR}"
started=$(date +%s.%N)
echo "opa ${VERSION}: downloading ${MODULE}@${VERSION} from $("${GO}" env GOPROXY) ..."
# A throwaway GOPATH-less download: `go mod download -json` prints the module's directory.
module_dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod "${GO}" mod download -json "${MODULE}@${VERSION}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
if [[ -z "${module_dir}" || ! -f "${module_dir}/go.mod" ]]; then
  echo "opa ${VERSION}: go mod download did not give a module directory" >&2
  exit 4
fi
if grep -qE '^[[:space:]]*replace[[:space:](]' "${module_dir}/go.mod"; then
  echo "opa ${VERSION}: go.mod has replace directives; building from the module directory honours them"
else
  echo "opa ${VERSION}: go.mod has no replace directive"
fi

echo "opa ${VERSION}: building with $("${GO}" version) (a cold build takes minutes on 2 cores) ..."
tmp="$(mktemp "${OUT_DIR}/opa.XXXXXX")"
trap 'rm -f "${tmp}"' EXIT
# The module cache is read-only; build output and the build cache live elsewhere.
(cd "${module_dir}" && CGO_ENABLED=0 GOFLAGS=-mod=readonly "${GO}" build -trimpath \
  -ldflags "-s -w -X github.com/open-policy-agent/opa/v1/version.Version=${VERSION#v}" -o "${tmp}" .)
chmod +x "${tmp}"
mv -f "${tmp}" "${BIN}" # atomic: a concurrent reader sees no binary or the whole one
finished=$(date +%s.%N)
# sed reads to the end: head would close the pipe and kill opa with SIGPIPE under pipefail.
"${BIN}" version | sed -n 1p
awk -v v="${VERSION}" -v b="${BIN}" -v s="${started}" -v f="${finished}" \
  'BEGIN { printf "opa %s: built %s in %.1fs\n", v, b, f - s }'
