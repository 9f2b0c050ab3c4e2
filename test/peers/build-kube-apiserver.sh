#!/usr/bin/env bash
# Builds kube-apiserver (the end-to-end tests' real API server) and the kubectl of the same
# release from the Go module proxy:
#   ~/.cache/scangate/kube-apiserver-<version>/{kube-apiserver,kubectl}
# (Debian's kubernetes-client is 1.20: too old for a 1.34 server and without --subresource.)
#
# `go install k8s.io/kubernetes/cmd/kube-apiserver@vX` fails: kubernetes replaces its staging
# modules (k8s.io/api, k8s.io/apiserver, …) with ./staging paths. The documented workaround
# (kubernetes/kubernetes#79384) is a throwaway module that requires k8s.io/kubernetes and replaces
# every staging module by its published v0.<minor>.<patch>, generated from the release's go.mod.
# A cold build takes 8–15 minutes and 3–4 GB on 2 cores.
set -euo pipefail
source "$(dirname "$0")/go-peer.lib.sh"
VERSION="${KUBE_VERSION:-v1.34.4}"
OUT_DIR="${HOME}/.cache/scangate/kube-apiserver-${VERSION}"
BIN="${OUT_DIR}/kube-apiserver"
KUBECTL="${OUT_DIR}/kubectl"
if [[ -x "${BIN}" && -x "${KUBECTL}" ]]; then
  echo "kube-apiserver ${VERSION}: present at ${BIN} (and kubectl)"
  exit 0
fi
find_go
mkdir -p "${OUT_DIR}"
started=$(date +%s.%N)
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
staging_version="v0.${VERSION#v1.}"

echo "kube-apiserver ${VERSION}: downloading k8s.io/kubernetes@${VERSION} from $("${GO}" env GOPROXY) ..."
module_dir="$(cd "${work}" && GOFLAGS=-mod=mod "${GO}" mod download -json "k8s.io/kubernetes@${VERSION}" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -f "${module_dir}/go.mod" ]] || { echo "kube-apiserver: no module directory for k8s.io/kubernetes@${VERSION}" >&2; exit 4; }

{
  echo "module scangate.local/kube-apiserver-build"
  echo
  sed -n 's/^go \(.*\)$/go \1/p' "${module_dir}/go.mod"
  echo
  echo "require k8s.io/kubernetes ${VERSION}"
  echo
  echo "replace ("
  sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/k8s\.io/.*$#\t\1 => \1 '"${staging_version}"'#p' "${module_dir}/go.mod"
  echo ")"
} >"${work}/go.mod"
echo "kube-apiserver ${VERSION}: $(grep -c ' => ' "${work}/go.mod") staging modules replaced by ${staging_version}"
cat >"${work}/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO

echo "kube-apiserver ${VERSION}: building kube-apiserver and kubectl with $("${GO}" version) ..."
(cd "${work}" && GOFLAGS=-mod=mod "${GO}" mod tidy -e >/dev/null 2>&1 || true)
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${VERSION} \
  -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "${VERSION}" | cut -d. -f2)"
for cmd in kube-apiserver kubectl; do
  tmp="$(mktemp "${OUT_DIR}/${cmd}.XXXXXX")"
  (cd "${work}" && CGO_ENABLED=0 GOFLAGS=-mod=mod "${GO}" build -trimpath -ldflags "${ldflags}" -o "${tmp}" "k8s.io/kubernetes/cmd/${cmd}")
  chmod +x "${tmp}"
  mv -f "${tmp}" "${OUT_DIR}/${cmd}" # atomic: a reader sees no binary or the whole one
done
"${BIN}" --version
# sed reads to the end: head would close the pipe and kill kubectl with SIGPIPE under pipefail.
"${KUBECTL}" version --client | sed -n 1p
awk -v v="${VERSION}" -v b="${BIN}" -v s="${started}" -v f="$(date +%s.%N)" \
  'BEGIN { printf "kube-apiserver %s: built %s and kubectl in %.1fs\n", v, b, f - s }'
