#!/usr/bin/env bash
# The slow tier, after `npm test` (.ci/run runs both): hostile input (Schemathesis on the served
# API document, ~5 min), the benchmark in small counts so it cannot rot (fails on errors, never on
# slow figures, ~3 min), and the fault drills on a private system of their own (~15 min).
# Each starts the servers it needs when they are not running. WOOP_SKIP_FUZZ=1, WOOP_SKIP_BENCH=1
# and WOOP_SKIP_DRILLS=1 skip a part.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

[[ -n "${WOOP_SKIP_FUZZ:-}" ]] || bash "$ROOT/deploy/local/fuzz.sh"
[[ -n "${WOOP_SKIP_BENCH:-}" ]] || bash "$ROOT/deploy/local/bench.sh" --quick
[[ -n "${WOOP_SKIP_DRILLS:-}" ]] || npx jest --ci --config test/drills/jest.config.js
