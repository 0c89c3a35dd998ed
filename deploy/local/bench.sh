#!/usr/bin/env bash
# `npm run bench`: builds, starts FerretDB if it is not running (and stops it afterwards), then
# measures the "Demandes" list and agents' queues against a lookup by reference in the same run.
# BENCH_TICKETS (5000), BENCH_RUNS (40) and BENCH_TARGET_RATIO (20) tune it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_prerequisites
ensure_node_modules
build

started=""
if ! port_open 127.0.0.1 "${FERRETDB_PORT:-27017}"; then
  bash "$ROOT/deploy/local/ferretdb.sh" start
  started=1
fi
trap '[[ -n "$started" ]] && bash "$ROOT/deploy/local/ferretdb.sh" stop' EXIT

say "benchmark: list and queues on FerretDB (a few minutes)"
node services/tickets/dist/bench/lists.js
