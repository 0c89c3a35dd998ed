#!/usr/bin/env bash
# Temporal CLI dev server: gRPC on 7233, Web UI on 8233, workflows kept in a SQLite file.
# Obtained with `go install` of the CLI (v1.5.1 is the newest tag without a go.mod `replace`).
source "$(dirname "$0")/lib.sh"

TEMPORAL_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
TEMPORAL_BIN="$BIN_DIR/temporal-$TEMPORAL_VERSION"
HOST="${TEMPORAL_HOST:-127.0.0.1}"
PORT="${TEMPORAL_PORT:-7233}"
UI_PORT="${TEMPORAL_UI_PORT:-8233}"
DB_DIR="$DATA_DIR/temporal"

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

install() {
  [[ -x "$TEMPORAL_BIN" ]] && return 0
  command -v go >/dev/null || die "Go is needed to build the Temporal CLI"
  run_long "compiling Temporal CLI $TEMPORAL_VERSION (takes minutes on a cold cache)" \
    env GOBIN="$CACHE_DIR/go-bin-temporal" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_VERSION"
  mv "$CACHE_DIR/go-bin-temporal/temporal" "$TEMPORAL_BIN"
  rmdir "$CACHE_DIR/go-bin-temporal"
}

healthy() { "$TEMPORAL_BIN" operator cluster health --address "$HOST:$PORT" --command-timeout 2s | grep -q SERVING; }

start() {
  mkdir -p "$DB_DIR"
  local args=()
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
  say "starting Temporal dev server on $HOST:$PORT (UI :$UI_PORT, db $DB_DIR/temporal.db)"
  start_daemon temporal "$TEMPORAL_BIN" server start-dev \
    --ip "$HOST" --port "$PORT" --ui-ip "$HOST" --ui-port "$UI_PORT" \
    --db-filename "$DB_DIR/temporal.db" --namespace default \
    --log-level warn "${args[@]}"
  wait_until temporal 60 healthy
  wait_until temporal 30 port_open "$HOST" "$UI_PORT"
}

dispatch temporal "${1:-start}"
