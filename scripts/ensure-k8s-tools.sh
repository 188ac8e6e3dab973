#!/usr/bin/env bash
# Builds the pinned Kubernetes components the tests and benchmarks drive, or reuses the cache
# (scripts/build-k8s-tools.sh), showing progress on stderr: the build's own steps, and a line
# every 30 s while a long step (a cold `go build`) runs. npm runs it before `npm test`,
# `npm run test:e2e` and `npm run bench`, so a fresh clone needs nothing built by hand.
# (K8S_TOOLS_BUILD and K8S_TOOLS_PROGRESS_SECONDS exist for this script's own test.)
set -euo pipefail
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_script=${K8S_TOOLS_BUILD:-$script_dir/build-k8s-tools.sh}
every=${K8S_TOOLS_PROGRESS_SECONDS:-30}

bash "$build_script" >/dev/null &
build=$!
start=$SECONDS
while kill -0 "$build" 2>/dev/null; do
  for _ in $(seq "$every"); do
    kill -0 "$build" 2>/dev/null || break 2
    sleep 1
  done
  printf '[build-k8s-tools] still building the pinned Kubernetes components (%ss; cached afterwards)\n' \
    "$((SECONDS - start))" >&2
done
wait "$build"
