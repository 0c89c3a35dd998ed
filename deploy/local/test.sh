#!/usr/bin/env bash
# The README's test command: install, build, static checks, then every test (unit,
# integration, and end-to-end in Chromium). Jest's global setup starts the real servers if they
# are not running and stops what it started at the end (WOOP_KEEP_INFRA=1 keeps them).
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

say "running jest (unit + integration + e2e)"
npx jest --ci "$@"

# Hostile input: Schemathesis on the served API document, as a customer and as an agent, about
# 4 min (docs/development.md, "Hostile input"); WOOP_SKIP_FUZZ=1 skips it.
[[ -n "${WOOP_SKIP_FUZZ:-}" ]] || bash "$ROOT/deploy/local/fuzz.sh"

# The benchmark in small counts, so it cannot rot: fails on errors, never on slow figures
# (docs/benchmarks.md); WOOP_SKIP_BENCH=1 skips it.
[[ -n "${WOOP_SKIP_BENCH:-}" ]] || bash "$ROOT/deploy/local/bench.sh" --quick
