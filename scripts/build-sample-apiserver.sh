#!/usr/bin/env bash
# Builds k8s.io/sample-apiserver, the Go reference aggregated API server that the benchmark
# (bench/, `npm run bench`) compares this server with, at the staging version of the pinned
# Kubernetes release (KUBERNETES_VERSION v1.X.Y in k8s-tools.env -> module v0.X.Y).
#
# Usage:  BIN=$(scripts/build-sample-apiserver.sh | tail -1)   # $BIN/sample-apiserver
#
# The last line of stdout is the bin dir; progress goes to stderr. A complete cache is reused
# instantly. The binary lives next to the other pinned components (outside the repo, never
# committed): <dir of scripts/k8s-tools-path.sh's tools dir>/sample-apiserver-<version>/bin,
# or AGGREGATED_APISERVER_SAMPLE_APISERVER_DIR/bin.
#
# Run heavy builds under the machine's build lock (`flock /tmp/heavy.lock bash scripts/...`);
# this script does not take that lock itself, because `npm run bench` calls it while already
# holding it.
set -euo pipefail

# Bump when a change to this script changes the produced binary.
readonly RECIPE=1

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=k8s-tools.env
. "$script_dir/k8s-tools.env"
: "${KUBERNETES_VERSION:?missing in k8s-tools.env}"
staging_version=v0.${KUBERNETES_VERSION#v1.}
readonly module=k8s.io/sample-apiserver

k8s_bin_dir=$("$script_dir/k8s-tools-path.sh")
default_dir=$(dirname "$(dirname "$k8s_bin_dir")")/sample-apiserver-$staging_version
sample_dir=${AGGREGATED_APISERVER_SAMPLE_APISERVER_DIR:-$default_dir}
sample_dir=${sample_dir%/}
bin_dir=$sample_dir/bin

log() { printf '[build-sample-apiserver] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
set -E
trap 'log "error: command failed (line $LINENO, exit $?): $BASH_COMMAND"' ERR

stamp() { printf 'RECIPE=%s\nMODULE=%s@%s\n' "$RECIPE" "$module" "$staging_version"; }
cache_complete() {
  [[ -x $bin_dir/sample-apiserver && -f $bin_dir/.complete && "$(cat "$bin_dir/.complete")" == "$(stamp)" ]]
}

if cache_complete; then
  log "cache hit: $bin_dir"
  printf '%s\n' "$bin_dir"
  exit 0
fi

mkdir -p "$(dirname "$sample_dir")"
exec 9>"$sample_dir.lock"
if ! flock -n 9; then
  log "another build of $sample_dir is running; waiting for it"
  flock 9
fi
if cache_complete; then
  log "cache hit (built by a concurrent run): $bin_dir"
  printf '%s\n' "$bin_dir"
  exit 0
fi

command -v go >/dev/null || die "go is not installed"
# Same environment as build-k8s-tools.sh: no toolchain download, no go.work, static binary.
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-buildvcs=false CGO_ENABLED=0
jobs=${AGGREGATED_APISERVER_BUILD_JOBS:-2}

rm -rf "$sample_dir".partial.*
stage=$(mktemp -d "$sample_dir.partial.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/bin"

# The module has no replace directives, so `go install module@version` builds it exactly as
# its own go.mod (and go.sum, checked against the checksum database) pins it, with its own
# go/godebug lines deciding the runtime defaults. The version variables are the ones the
# Kubernetes release build injects into every binary of the tree this module was cut from.
k8s_minor=${KUBERNETES_VERSION#v1.}
k8s_minor=${k8s_minor%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor"
  ldflags+=" -X $pkg.gitCommit= -X $pkg.gitTreeState=clean"
done

start=$SECONDS
log "building $module@$staging_version (first run downloads its modules)"
GOBIN="$stage/bin" go install -p "$jobs" -trimpath -ldflags "$ldflags" "$module@$staging_version"

out=$("$stage/bin/sample-apiserver" --help 2>&1) || die "sample-apiserver --help failed: $out"
[[ $out == *"wardle"* ]] || die "sample-apiserver --help does not describe the wardle server: $out"
log "  ok: sample-apiserver --help describes the wardle server"

stamp >"$stage/bin/.complete"
chmod 755 "$stage"
if [[ -e $sample_dir ]]; then
  mv "$sample_dir" "$stage.old"
  rm -rf "$stage.old"
fi
mv -T "$stage" "$sample_dir"
log "built in $((SECONDS - start))s: $bin_dir"
printf '%s\n' "$bin_dir"
