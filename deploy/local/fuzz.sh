#!/usr/bin/env bash
# Hostile input in CI: Schemathesis (pinned, from PyPI, in a venv of the cache dir) against the
# OpenAPI document the gateway serves, on the real services started the way the integration tests
# start them, once as a customer (session cookie + CSRF token) and once as an agent (bearer API
# token), stateful phase included. Fails on any 5xx, any answer the document does not describe,
# any invalid request accepted or valid one refused (test/fuzz/schemathesis.toml lists the
# refusals the document cannot express). Reports: $WOOP_DATA_DIR/fuzz/<identity>/.
# Bounded: FUZZ_MAX_TIME seconds per identity (default 100, about 4 min in all on 2 cores);
# FUZZ_MAX_EXAMPLES cases per operation and phase; FUZZ_SEED replays a run.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SCHEMATHESIS_VERSION=4.32.5
VENV="$CACHE_DIR/venv-schemathesis"

if ! [[ -x "$VENV/bin/st" ]] || [[ "$("$VENV/bin/st" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
  command -v python3 >/dev/null || die "python3 is needed for Schemathesis (apt-get install python3 python3-venv)"
  say "installing Schemathesis $SCHEMATHESIS_VERSION in $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
  run_long "pip install schemathesis" "$VENV/bin/pip" install --disable-pip-version-check --quiet \
    -r "$ROOT/deploy/local/fuzz-requirements.txt"
fi

say "fuzzing the API with Schemathesis $SCHEMATHESIS_VERSION (reports in $DATA_DIR/fuzz)"
export FUZZ_ST="$VENV/bin/st" WOOP_DATA_DIR="$DATA_DIR"
npx jest --ci --config test/fuzz/jest.config.js "$@"
