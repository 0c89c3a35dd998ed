#!/usr/bin/env bash
# `npm run bench`: the system against the engines' own limits, every figure beside a baseline
# measured in the same run (tools/bench, docs/benchmarks.md).
#   npm run bench                    the running stack (`npm start`); says how to start it if not
#   npm run bench -- --own-services  copies of the services of this checkout, on the running servers
#   npm run bench -- --quick         small counts, own services; starts the servers that are not
#                                    running and stops them after (CI runs it after the tests)
# Results: .data/bench/<time>.json and .svg (git-ignored).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

own=""
for a in "$@"; do [[ "$a" == "--quick" || "$a" == "--own-services" ]] && own=1; done

ensure_node_modules
build

started=()
stop_started() {
  local s
  for s in "${started[@]}"; do bash "$ROOT/deploy/local/$s.sh" stop || true; done
}
if [[ -n "$own" ]]; then
  # The bench runs its own services, on the servers: start those that are not running (and only
  # those, stopped again at the end), as the tests' global setup does.
  declare -A ports=([temporal]="${TEMPORAL_PORT:-7233}" [kafka]="${KAFKA_PORT:-9092}"
    [ferretdb]="${FERRETDB_PORT:-27017}" [mailcatcher]="${MAILCATCHER_SMTP_PORT:-1025}")
  trap stop_started EXIT
  for s in temporal kafka ferretdb mailcatcher; do
    if ! port_open 127.0.0.1 "${ports[$s]}"; then
      [[ ${#started[@]} -eq 0 ]] && ensure_prerequisites
      bash "$ROOT/deploy/local/$s.sh" start
      started+=("$s")
    fi
  done
  run_long "creating Kafka topics" node packages/service-kit/dist/cli/ensure-topics.js
fi

node tools/bench/dist/main.js "$@"
