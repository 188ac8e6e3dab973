#!/usr/bin/env bash
# Builds the pinned reference Kubernetes components used by the end-to-end
# suite (a real kube-apiserver + etcd + kube-controller-manager on loopback)
# and by the kubectl-driven tests:
#
#   kube-apiserver, kube-controller-manager, kubectl   from k8s.io/kubernetes
#   etcd, etcdctl                                      from go.etcd.io/etcd
#
# Usage:  BIN=$(scripts/build-k8s-tools.sh | tail -1)
#
# The last line of stdout is the bin dir; all progress goes to stderr. A
# complete cache is reused instantly, so tests may call this unconditionally.
# Versions are pinned in scripts/k8s-tools.env; the location is decided by
# scripts/k8s-tools-path.sh (override with AGGREGATED_APISERVER_TOOLS_DIR).
#
# Why build from source: the only network our machines (and CI) reach is the
# package registries, so release tarballs and container images are out of
# reach, but the Go module proxy serves both projects' module zips. A cold
# build takes ~5 min on 2 cores (~20 s with a warm Go build cache); after
# that it is a cache hit.
#
# Choosing a pin: the proxy's `@v/list` is not exhaustive here (probe
# `@v/<ver>.info` directly), and a version must also be known to the checksum
# database: k8s.io/kubernetes v1.36.5 is on the proxy but not in the checksum
# database, hence v1.36.4. For etcd, the repo-root module go.etcd.io/etcd/v3 is
# missing some 3.6 patches, which does not matter because we never need it.
set -euo pipefail

# Bump when a change to this script changes the produced binaries (flags,
# ldflags, ...) so existing caches are rebuilt instead of silently reused.
readonly RECIPE=1

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=k8s-tools.env
. "$script_dir/k8s-tools.env"
: "${KUBERNETES_VERSION:?missing in k8s-tools.env}" "${ETCD_VERSION:?missing in k8s-tools.env}"

bin_dir=$("$script_dir/k8s-tools-path.sh")
tools_dir=$(dirname "$bin_dir")
readonly binaries=(kube-apiserver kube-controller-manager kubectl etcd etcdctl)

log() { printf '[build-k8s-tools] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# set -e alone exits silently when e.g. a go command inside $(...) fails;
# name the failing command so a broken cold build is diagnosable from CI logs.
set -E
trap 'log "error: command failed (line $LINENO, exit $?): $BASH_COMMAND"' ERR

stamp() {
  printf 'RECIPE=%s\nKUBERNETES_VERSION=%s\nETCD_VERSION=%s\n' \
    "$RECIPE" "$KUBERNETES_VERSION" "$ETCD_VERSION"
}

cache_complete() {
  local b
  for b in "${binaries[@]}"; do [[ -x $bin_dir/$b ]] || return 1; done
  [[ -f $bin_dir/.complete && "$(cat "$bin_dir/.complete")" == "$(stamp)" ]]
}

if cache_complete; then
  log "cache hit: $bin_dir"
  printf '%s\n' "$bin_dir"
  exit 0
fi

# Several test processes may call us at once on a cold machine; serialise them
# so the expensive build runs once and the others just pick up the result.
mkdir -p "$(dirname "$tools_dir")"
exec 9>"$tools_dir.lock"
if ! flock -n 9; then
  log "another build of $tools_dir is running; waiting for it"
  flock 9
fi
if cache_complete; then
  log "cache hit (built by a concurrent run): $bin_dir"
  printf '%s\n' "$bin_dir"
  exit 0
fi

command -v go >/dev/null || die "go is not installed"

# Never let the go command download a different toolchain (there is nothing to
# download it from, and we want the build to fail loudly instead), ignore any
# go.work above the temp dir, and drop user GOFLAGS (e.g. -mod=vendor) that
# would change the build. Static binaries like the upstream release builds,
# which also means no C toolchain is needed.
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-buildvcs=false CGO_ENABLED=0
# Be kind to small (2-core) machines; linking kube-apiserver alone needs ~2 GiB.
jobs=${AGGREGATED_APISERVER_BUILD_JOBS:-2}
go_build=(go build -p "$jobs" -trimpath)

go_version=$(go env GOVERSION)
go_version=${go_version#go}

# Anything left over from a killed run is garbage: we hold the lock.
rm -rf "$tools_dir".partial.*
work=$(mktemp -d "${TMPDIR:-/tmp}/build-k8s-tools.XXXXXX")
# Build next to the final location so the final mv is an atomic rename on the
# same filesystem: an interrupted build never leaves a half-populated cache.
stage=$(mktemp -d "$tools_dir.partial.XXXXXX")
trap 'rm -rf "$work" "$stage"' EXIT
mkdir "$stage/bin"

# --- helpers -----------------------------------------------------------------

# Prints the go.mod file of module@version, fetched through the module proxy.
# Checksums are verified against the checksum database as usual; note that a
# version can be on the proxy but not (yet) in the checksum database, which
# shows up here as "verifying go.mod: ... 404" -- pin another patch release
# rather than disabling verification.
fetch_gomod() {
  local json gomod
  json=$(cd "$work" && go mod download -json "$1") ||
    die "could not fetch $1: $(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p')"
  gomod=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [[ -n $gomod && -f $gomod ]] || die "could not fetch go.mod of $1"
  # -print canonicalises the formatting, which keeps the awk parsing simple.
  go mod edit -print "$gomod"
}

# The "go" directive of a go.mod on stdin.
go_directive() { awk '$1 == "go" { print $2; exit }'; }

# Fails early, with a clear message, when a module needs a newer Go than ours.
require_go() { # <module> <min go version>
  if [[ "$(printf '%s\n%s\n' "$2" "$go_version" | sort -V | head -1)" != "$2" ]]; then
    die "$1 needs go >= $2 but go $go_version is installed (GOTOOLCHAIN=local); pin an older release in k8s-tools.env"
  fi
}

# Replace directives in a dependency's go.mod are ignored by the go command,
# so a throwaway main module has to restate the ones that matter. Reads a
# go.mod on stdin and prints `go mod edit` flags:
#  - a local-path replace inside a multi-module repo (k8s.io/* => ./staging/...,
#    go.etcd.io/etcd/api/v3 => ../api) means "the sibling module from this same
#    commit", which on the proxy is that module at the matching release version;
#  - a module => module@version replace is copied verbatim;
#  - etcd's "=> ./FORBIDDEN_DEPENDENCY" lines are guards against bad imports,
#    not real replacements, so they are dropped.
replace_flags() { # <version for local-path siblings>
  local old oldver new newver
  awk '
    { sub(/[[:space:]]*\/\/.*$/, "") }
    /^replace[[:space:]]*\($/ { blk = 1; next }
    blk && /^\)$/            { blk = 0; next }
    blk || /^replace[[:space:]]/ {
      if ($1 == "replace") { $1 = ""; $0 = $0 }
      for (i = 1; i <= NF && $i != "=>"; i++) {}
      if (i > NF) next
      print $1, (i == 3 ? $2 : "-"), $(i + 1), (i + 2 <= NF ? $(i + 2) : "-")
    }' |
    while read -r old oldver new newver; do
      case $new in
        */FORBIDDEN_DEPENDENCY) ;;
        ./* | ../*)
          [[ $oldver == - ]] || die "unexpected versioned local replace of $old@$oldver"
          printf -- '-replace=%s=%s@%s\n' "$old" "$old" "$1" ;;
        *)
          [[ $newver != - ]] || die "cannot interpret replace $old => $new"
          [[ $oldver == - ]] || old+="@$oldver"
          printf -- '-replace=%s=%s@%s\n' "$old" "$new" "$newver" ;;
      esac
    done
}

# Warns when our throwaway module resolved a dependency to a different version
# than the upstream go.mod pins, i.e. when we would not be building the same
# thing the release did.
check_pins() { # <upstream go.mod file>
  local resolved drift
  resolved=$(go list -m -f '{{.Path}} {{.Version}}' all)
  drift=$(awk '
    NR == FNR { got[$1] = $2; next }
    { sub(/[[:space:]]*\/\/.*$/, "") }
    /^require[[:space:]]*\($/ { blk = 1; next }
    blk && /^\)$/            { blk = 0; next }
    blk || /^require[[:space:]]/ {
      if ($1 == "require") { $1 = ""; $0 = $0 }
      if (NF >= 2 && $2 != "v0.0.0" && ($1 in got) && got[$1] != $2)
        print "  " $1 ": upstream " $2 ", built with " got[$1]
    }' <(printf '%s\n' "$resolved") "$1")
  if [[ -n $drift ]]; then
    log "warning: dependency versions differ from upstream go.mod:"
    printf '%s\n' "$drift" >&2
  fi
}

# Runs a freshly built binary and checks it reports the pinned version, so a
# broken ldflags/version setup is caught here rather than in a flaky test.
check_version() { # <expected substring> <binary> <args...>
  local want=$1 out
  shift
  out=$("$@" 2>&1) || die "$(basename "$1") failed to run: $out"
  [[ $out == *"$want"* ]] || die "$(basename "$1") reports '$out', expected '$want'"
  log "  ok: $(basename "$1") -> $(printf '%s' "$out" | tr '\n' ' ')"
}

start=$SECONDS

# --- Kubernetes ----------------------------------------------------------------
#
# k8s.io/kubernetes is not meant to be imported: its go.mod requires every
# k8s.io/* staging module at the placeholder v0.0.0 and replaces them with
# ./staging/src/... Those staging trees are published as their own modules at
# v0.<minor>.<patch>, so a throwaway main module that requires k8s.io/kubernetes
# and replaces each staging module with that version builds the same tree.

log "Kubernetes $KUBERNETES_VERSION: preparing build module"
k8s_mod=$work/k8s-upstream.mod
fetch_gomod "k8s.io/kubernetes@$KUBERNETES_VERSION" >"$k8s_mod"
k8s_go=$(go_directive <"$k8s_mod")
require_go "k8s.io/kubernetes@$KUBERNETES_VERSION" "$k8s_go"

staging_version=v0.${KUBERNETES_VERSION#v1.}
# (via a file, not <(...), so that a die inside replace_flags stops the script)
replace_flags "$staging_version" <"$k8s_mod" >"$work/k8s.replaces"
mapfile -t k8s_replaces <"$work/k8s.replaces"
((${#k8s_replaces[@]} > 0)) || die "found no staging replaces in k8s.io/kubernetes go.mod"
# The default GODEBUG settings of a binary come from its *main* module's go
# and godebug lines, so mirror upstream's to get the same runtime behaviour.
mapfile -t k8s_godebug < <(awk '$1 == "godebug" && $2 != "(" { print "-godebug=" $2 }' "$k8s_mod")

k8s_cmds=(kube-apiserver kube-controller-manager kubectl)
mkdir "$work/k8s"
(
  cd "$work/k8s"
  go mod init k8s-tools-build.invalid/kubernetes 2>/dev/null || die "go mod init failed"
  go mod edit -go="$k8s_go" "${k8s_godebug[@]}" \
    -require="k8s.io/kubernetes@$KUBERNETES_VERSION" "${k8s_replaces[@]}"
  # Tool directives keep `go mod tidy` from dropping the requirement and make
  # it record checksums for exactly the packages we build.
  for cmd in "${k8s_cmds[@]}"; do go mod edit -tool="k8s.io/kubernetes/cmd/$cmd"; done
  log "resolving dependencies (first run downloads ~1 GiB of modules)"
  go mod tidy
  check_pins "$k8s_mod"
)

# What hack/lib/version.sh injects for a release build. Tooling relies on it:
# kubectl's version-skew warning compares these, and the aggregator/discovery
# report them via /version. Without it everything claims v0.0.0-master.
# gitCommit is unknown (module zips carry no VCS data), so it is left empty
# rather than showing the "$Format:%H$" placeholder. buildDate is the release
# commit time, which keeps rebuilds byte-for-byte reproducible.
k8s_minor=${KUBERNETES_VERSION#v1.}
k8s_minor=${k8s_minor%%.*}
build_date=$(cd "$work/k8s" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitCommit= -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

for cmd in "${k8s_cmds[@]}"; do
  log "building $cmd (elapsed $((SECONDS - start))s)"
  (cd "$work/k8s" && "${go_build[@]}" -ldflags "$k8s_ldflags" -o "$stage/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd")
done

# --- etcd --------------------------------------------------------------------
#
# In etcd 3.5+ the `etcd` main package is the go.etcd.io/etcd/server/v3 module
# root (server/main.go), not the repo root module go.etcd.io/etcd/v3 (which is
# only a dummy package), and etcdctl is the go.etcd.io/etcd/etcdctl/v3 root.
# Their go.mods replace sibling modules with ../api etc., restated below.

log "etcd $ETCD_VERSION: preparing build module (elapsed $((SECONDS - start))s)"
etcd_mods=(go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3)
etcd_replaces=()
for m in "${etcd_mods[@]}"; do
  fetch_gomod "$m@$ETCD_VERSION" >"$work/etcd-upstream.mod"
  require_go "$m@$ETCD_VERSION" "$(go_directive <"$work/etcd-upstream.mod")"
  if [[ $m == */server/v3 ]]; then etcd_go=$(go_directive <"$work/etcd-upstream.mod"); fi
  replace_flags "$ETCD_VERSION" <"$work/etcd-upstream.mod" >"$work/etcd.replaces"
  mapfile -t -O "${#etcd_replaces[@]}" etcd_replaces <"$work/etcd.replaces"
done
mkdir "$work/etcd"
(
  cd "$work/etcd"
  go mod init k8s-tools-build.invalid/etcd 2>/dev/null || die "go mod init failed"
  # The etcd binary's upstream main module is server/v3, so take its go line.
  go mod edit -go="$etcd_go" "${etcd_replaces[@]}"
  for m in "${etcd_mods[@]}"; do go mod edit -require="$m@$ETCD_VERSION" -tool="$m"; done
  go mod tidy
)
log "building etcd (elapsed $((SECONDS - start))s)"
(cd "$work/etcd" && "${go_build[@]}" -ldflags "-s -w" -o "$stage/bin/etcd" go.etcd.io/etcd/server/v3)
log "building etcdctl (elapsed $((SECONDS - start))s)"
(cd "$work/etcd" && "${go_build[@]}" -ldflags "-s -w" -o "$stage/bin/etcdctl" go.etcd.io/etcd/etcdctl/v3)

# --- verify and install ------------------------------------------------------

log "verifying binaries"
check_version "Kubernetes $KUBERNETES_VERSION" "$stage/bin/kube-apiserver" --version
check_version "Kubernetes $KUBERNETES_VERSION" "$stage/bin/kube-controller-manager" --version
check_version "Client Version: $KUBERNETES_VERSION" "$stage/bin/kubectl" version --client
check_version "etcd Version: ${ETCD_VERSION#v}" "$stage/bin/etcd" --version
check_version "etcdctl version: ${ETCD_VERSION#v}" "$stage/bin/etcdctl" version

stamp >"$stage/bin/.complete"
chmod 755 "$stage" # mktemp -d made it 0700
# Whatever is at the destination is incomplete or for another recipe (else we
# would have exited above); move it aside first so the rename below is atomic.
if [[ -e $tools_dir ]]; then
  mv "$tools_dir" "$stage.old"
  rm -rf "$stage.old"
fi
mv -T "$stage" "$tools_dir"
log "built in $((SECONDS - start))s: $bin_dir"
printf '%s\n' "$bin_dir"
