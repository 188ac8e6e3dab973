#!/usr/bin/env bash
# Prints the bin dir where scripts/build-k8s-tools.sh puts (or would put) the
# pinned kube-apiserver / kube-controller-manager / kubectl / etcd / etcdctl.
# Never builds anything, so tests can cheaply locate the binaries and skip with
# a helpful message when they are missing.
#
# The cache lives outside the repo (binaries are ~100s of MB and must never be
# committed) and is keyed by both pinned versions, so bumping either pin in
# k8s-tools.env naturally selects a fresh directory instead of reusing stale
# binaries. AGGREGATED_APISERVER_TOOLS_DIR overrides the location (e.g. CI).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# k8s-tools.env is plain KEY=value so TypeScript tests can parse it too.
# shellcheck source=k8s-tools.env
. "$script_dir/k8s-tools.env"
: "${KUBERNETES_VERSION:?missing in k8s-tools.env}" "${ETCD_VERSION:?missing in k8s-tools.env}"

tools_dir=${AGGREGATED_APISERVER_TOOLS_DIR:-$HOME/.cache/aggregated-apiserver/k8s-${KUBERNETES_VERSION}-etcd-${ETCD_VERSION}}
printf '%s\n' "${tools_dir%/}/bin"
