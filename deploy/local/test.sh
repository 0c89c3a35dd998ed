#!/usr/bin/env bash
# The README's test command: install, build, static checks, then every test (unit, integration,
# and end-to-end in Chromium). Jest's global setup starts the real servers if they are not
# running and stops what it started at the end (WOOP_KEEP_INFRA=1 keeps them).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_prerequisites
ensure_chromium
ensure_node_modules
build

say "static checks: eslint (with Temporal determinism rules), prettier, type-check of the tests"
npx eslint .
npx prettier --check . >/dev/null || {
  npx prettier --check .
  die "prettier found unformatted files (npm run format fixes them)"
}
npx tsc -p tsconfig.test.json

if command -v docker-compose >/dev/null; then
  say "validating docker-compose.yml (docker-compose config -q, with throwaway secrets)"
  bash "$ROOT/deploy/compose/check.sh"
else
  say "docker-compose not installed: skipping the compose file check (.ci/run installs it)"
fi

# WOOP_TEST_WORKERS=N runs N test files at once (jest's default on this 2-core machine is one,
# in band); the integration suites mostly wait on servers, so more than the cores can pay.
workers=()
[[ -n "${WOOP_TEST_WORKERS:-}" ]] && workers=(--maxWorkers="$WOOP_TEST_WORKERS")
say "running jest (unit + integration + e2e)${WOOP_TEST_WORKERS:+, $WOOP_TEST_WORKERS files at once}"
npx jest --ci "${workers[@]}" "$@"

# The slow tier (the fuzzing, the quick bench, the fault drills) is not part of this command:
# `npm run test:slow` runs it, and .ci/run runs it after this one.
