#!/usr/bin/env bash
# FerretDB 1.24 (MongoDB wire protocol), built from the Go module, on PostgreSQL (the private
# cluster of deploy/local/postgres.sh, started with it) or, with FERRETDB_HANDLER=sqlite, on
# SQLite files (no PostgreSQL; every filter scans every document: slow past a few hundred).
source "$(dirname "$0")/lib.sh"

FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
FERRETDB_BIN="$BIN_DIR/ferretdb-$FERRETDB_VERSION"
HOST="${FERRETDB_HOST:-127.0.0.1}"
PORT="${FERRETDB_PORT:-27017}"
DEBUG_PORT="${FERRETDB_DEBUG_PORT:-8088}"
DB_DIR="$DATA_DIR/ferretdb"
HANDLER="${FERRETDB_HANDLER:-postgresql}"
[[ "$HANDLER" == postgresql || "$HANDLER" == sqlite ]] || die "FERRETDB_HANDLER: postgresql or sqlite, not $HANDLER"

build() {
  local src="$CACHE_DIR/src/ferretdb-$FERRETDB_VERSION" dir
  dir="$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" ]] || die "go mod download gave no module folder for FerretDB"
  # The module cache is read-only, and a plain `go install` binary panics at start because
  # build/version/version.txt is generated upstream: build from a writable copy with it.
  rm -rf "$src"
  mkdir -p "$(dirname "$src")"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && go build -o "$FERRETDB_BIN" ./cmd/ferretdb)
  rm -rf "$src"
}

install() {
  [[ -x "$FERRETDB_BIN" ]] && return 0
  command -v go >/dev/null || die "Go is needed to build FerretDB"
  run_long "compiling FerretDB $FERRETDB_VERSION" build
}

healthy() { curl -fsS "http://$HOST:$DEBUG_PORT/debug/readyz" >/dev/null 2>&1; }

start() {
  mkdir -p "$DB_DIR"
  local backend=()
  if [[ "$HANDLER" == postgresql ]]; then
    bash "$ROOT/deploy/local/postgres.sh" start
    say "starting FerretDB $FERRETDB_VERSION on $HOST:$PORT (PostgreSQL on port ${POSTGRES_PORT:-5433})"
    # The URL holds the cluster's password: given in FerretDB's environment, which only its
    # user can read, not on its command line, which every local user can.
    backend=(env FERRETDB_POSTGRESQL_URL="$(bash "$ROOT/deploy/local/postgres.sh" url)" FERRETDB_HANDLER=postgresql)
  else
    mkdir -p "$DB_DIR/sqlite"
    say "starting FerretDB $FERRETDB_VERSION on $HOST:$PORT (SQLite in $DB_DIR/sqlite)"
    backend=(env FERRETDB_HANDLER=sqlite FERRETDB_SQLITE_URL="file:$DB_DIR/sqlite/")
  fi
  start_daemon ferretdb "${backend[@]}" "$FERRETDB_BIN" \
    --listen-addr="$HOST:$PORT" --debug-addr="$HOST:$DEBUG_PORT" --state-dir="$DB_DIR" \
    --telemetry=disable --log-level=WARN --log-format=text
  wait_until ferretdb 30 healthy
}

# PostgreSQL is FerretDB's storage here: stopped with it (`npm run bench` stops what it started).
stop() {
  stop_daemon ferretdb
  [[ "$HANDLER" != postgresql ]] || bash "$ROOT/deploy/local/postgres.sh" stop
}

dispatch ferretdb "${1:-start}"
