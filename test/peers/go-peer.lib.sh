# Shared by the test/peers/build-*.sh scripts: find Go, time a build, install a binary atomically.
# Peers are built from the Go module proxy into ~/.cache/scangate/<name>-<version>/ (never committed).

find_go() {
  GO="$(command -v go || true)"
  if [[ -z "${GO}" && -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi
  if [[ -z "${GO}" ]]; then
    echo "Go toolchain not found: install Go 1.26+ (apt-get install -y golang-go, or https://go.dev/dl/) and rerun $0" >&2
    exit 3
  fi
}

# go_install_peer NAME VERSION OUT_DIR PACKAGE... : `go install PACKAGE@VERSION` into OUT_DIR, timed.
go_install_peer() {
  local name="$1" version="$2" out_dir="$3"
  shift 3
  find_go
  mkdir -p "${out_dir}"
  local started tmp_bin
  started=$(date +%s.%N)
  tmp_bin="$(mktemp -d "${out_dir}/.build.XXXXXX")"
  echo "${name} ${version}: go install $* (a cold build takes minutes on 2 cores) ..."
  local pkg
  for pkg in "$@"; do
    CGO_ENABLED=0 GOBIN="${tmp_bin}" GOFLAGS=-mod=mod "${GO}" install -trimpath -ldflags "-s -w" "${pkg}@${version}"
  done
  local file
  for file in "${tmp_bin}"/*; do mv -f "${file}" "${out_dir}/"; done # atomic per binary
  rmdir "${tmp_bin}"
  awk -v n="${name}" -v v="${version}" -v d="${out_dir}" -v s="${started}" -v f="$(date +%s.%N)" \
    'BEGIN { printf "%s %s: built into %s in %.1fs\n", n, v, d, f - s }'
}

# build_module_peer NAME MODULE VERSION OUT_DIR CMD_PATH... : `go mod download` the module and
# `go build` the commands from its own directory, with its own go.mod and go.sum. Used where
# `go install pkg@version` fails because the proxy refuses the module's version list (which
# `go install` reads for deprecation notices) or the module has replace directives.
build_module_peer() {
  local name="$1" module="$2" version="$3" out_dir="$4"
  shift 4
  find_go
  mkdir -p "${out_dir}"
  local started module_dir cmd tmp
  started=$(date +%s.%N)
  echo "${name} ${version}: downloading ${module}@${version} from $("${GO}" env GOPROXY) ..."
  module_dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod "${GO}" mod download -json "${module}@${version}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "${module_dir}" || ! -f "${module_dir}/go.mod" ]]; then
    echo "${name} ${version}: go mod download did not give a module directory" >&2
    exit 4
  fi
  echo "${name} ${version}: building $* with $("${GO}" version) (a cold build takes minutes on 2 cores) ..."
  for cmd in "$@"; do
    tmp="$(mktemp "${out_dir}/.$(basename "${cmd}").XXXXXX")"
    # The module cache is read-only; build output and the build cache live elsewhere.
    (cd "${module_dir}" && CGO_ENABLED=0 GOFLAGS=-mod=readonly "${GO}" build -trimpath -ldflags "-s -w" -o "${tmp}" "./${cmd}")
    chmod +x "${tmp}"
    mv -f "${tmp}" "${out_dir}/$(basename "${cmd}")" # atomic: a reader sees no binary or the whole one
  done
  awk -v n="${name}" -v v="${version}" -v d="${out_dir}" -v s="${started}" -v f="$(date +%s.%N)" \
    'BEGIN { printf "%s %s: built into %s in %.1fs\n", n, v, d, f - s }'
}

# fetch_module_files NAME MODULE VERSION OUT_DIR GLOB... : `go mod download` the module and copy the
# files matching each GLOB (relative to the module's root) into OUT_DIR. For reference data that a
# real project ships in its Go module (schemas, test fixtures): nothing is built. OUT_DIR appears
# whole or not at all, so its presence means the copy is complete.
fetch_module_files() {
  local name="$1" module="$2" version="$3" out_dir="$4"
  shift 4
  find_go
  local module_dir tmp pattern file copied=0
  echo "${name} ${version}: downloading ${module}@${version} from $("${GO}" env GOPROXY) ..."
  module_dir="$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod "${GO}" mod download -json "${module}@${version}" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "${module_dir}" || ! -d "${module_dir}" ]]; then
    echo "${name} ${version}: go mod download did not give a module directory" >&2
    exit 4
  fi
  mkdir -p "$(dirname "${out_dir}")"
  tmp="$(mktemp -d "${out_dir}.XXXXXX")"
  for pattern in "$@"; do
    for file in "${module_dir}"/${pattern}; do
      [[ -f "${file}" ]] || { echo "${name} ${version}: ${module}@${version} has no ${pattern}" >&2; rm -rf "${tmp}"; exit 4; }
      install -m 0644 "${file}" "${tmp}/"
      copied=$((copied + 1))
    done
  done
  chmod 0755 "${tmp}"
  mv -T "${tmp}" "${out_dir}" 2>/dev/null || rm -rf "${tmp}" # a parallel run got there first
  echo "${name} ${version}: ${copied} files from ${module}@${version} in ${out_dir}"
}
