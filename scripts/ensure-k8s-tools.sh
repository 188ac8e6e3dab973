#!/usr/bin/env bash
# Builds the pinned Kubernetes components the tests and benchmarks drive, or reuses the cache
# (scripts/build-k8s-tools.sh), showing progress on stderr: the build's own steps, and a line
# every 30 s while a long step (a cold `go build`) runs. npm runs it before `npm test`,
# `npm run test:e2e` and `npm run bench`, so a fresh clone needs nothing built by hand.
set -euo pipefail
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bash "$script_dir/build-k8s-tools.sh" >/dev/null &
build=$!
start=$SECONDS
while kill -0 "$build" 2>/dev/null; do
  for _ in $(seq 30); do
    kill -0 "$build" 2>/dev/null || break 2
    sleep 1
  done
  printf '[build-k8s-tools] still building the pinned Kubernetes components (%ss; cached afterwards)\n' \
    "$((SECONDS - start))" >&2
done
wait "$build"
