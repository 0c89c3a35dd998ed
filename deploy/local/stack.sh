#!/usr/bin/env bash
# The whole local system: `up` installs what is missing, starts the servers, creates the
# Kafka topics, starts every service and the Temporal worker, waits until all are ready and
# prints where to go. `infra` stops after the servers; `down` stops everything; `status` tells.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# In start order (stopped in the reverse one). PostgreSQL is FerretDB's storage unless
# FERRETDB_HANDLER=sqlite; imap is the support mailbox (Dovecot) the inbound service reads;
# Zipkin is the trace viewer the services export spans to.
SERVERS=(temporal kafka)
[[ "${FERRETDB_HANDLER:-postgresql}" == sqlite ]] || SERVERS+=(postgres)
SERVERS+=(ferretdb mailcatcher imap zipkin)

# The topics, the seed and the services reach the servers where the variables above put them
# (a second stack on other ports talks to its own servers), unless told otherwise.
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-${TEMPORAL_HOST:-127.0.0.1}:${TEMPORAL_PORT:-7233}}"
export TEMPORAL_UI_URL="${TEMPORAL_UI_URL:-http://${TEMPORAL_HOST:-127.0.0.1}:${TEMPORAL_UI_PORT:-8233}}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-${KAFKA_HOST:-127.0.0.1}:${KAFKA_PORT:-9092}}"
export MONGODB_URI="${MONGODB_URI:-mongodb://${FERRETDB_HOST:-127.0.0.1}:${FERRETDB_PORT:-27017}}"
export SMTP_URL="${SMTP_URL:-smtp://${MAILCATCHER_HOST:-127.0.0.1}:${MAILCATCHER_SMTP_PORT:-1025}}"
if [[ -n "${ZIPKIN_PORT:-}" ]]; then
  export OTEL_EXPORTER_ZIPKIN_ENDPOINT="${OTEL_EXPORTER_ZIPKIN_ENDPOINT:-http://${ZIPKIN_HOST:-127.0.0.1}:$ZIPKIN_PORT/api/v2/spans}"
fi
# name:entry point:port variable:default port
SERVICES=(
  "identity:services/identity/dist/main.js:IDENTITY_PORT:3001"
  "tickets:services/tickets/dist/api/main.js:TICKETS_PORT:3002"
  "notifications:services/notifications/dist/main.js:NOTIFICATIONS_PORT:3003"
  "tickets-worker:services/tickets/dist/worker/main.js:TICKETS_WORKER_PORT:3004"
  "inbound:services/inbound/dist/main.js:INBOUND_PORT:3005"
  "gateway:services/gateway/dist/main.js:GATEWAY_PORT:3000"
)

# Obtaining the servers (compiling FerretDB, fetching the Temporal CLI and the jars, apt-get for
# PostgreSQL) runs beside npm ci and tsc, in groups that share no tool (two Maven runs share one
# local repository, two apt-get runs one lock). MailDev is an npm package: it waits for npm ci.
PREFETCH_GROUPS=("ferretdb" "temporal" "kafka zipkin" "postgres imap")
prefetch_pids=()
prefetch_servers() {
  local group s wanted
  for group in "${PREFETCH_GROUPS[@]}"; do
    wanted=()
    for s in $group; do
      [[ " ${SERVERS[*]} " == *" $s "* && -f "$ROOT/deploy/local/$s.sh" ]] && wanted+=("$s")
    done
    ((${#wanted[@]} > 0)) || continue
    (for s in "${wanted[@]}"; do bash "$ROOT/deploy/local/$s.sh" install; done) &
    prefetch_pids+=($!)
  done
}
await_prefetch() {
  local pid failed=0
  for pid in "${prefetch_pids[@]}"; do wait "$pid" || failed=1; done
  prefetch_pids=()
  ((failed == 0)) || die "obtaining a server failed (its step log is named above)"
}

infra_up() {
  for s in "${SERVERS[@]}"; do bash "$ROOT/deploy/local/$s.sh" start; done
  run_long "creating Kafka topics" node packages/service-kit/dist/cli/ensure-topics.js
}

service_port() {
  local var="$1" default="$2"
  echo "${!var:-$default}"
}

services_up() {
  local spec name entry var default port
  for spec in "${SERVICES[@]}"; do
    IFS=: read -r name entry var default <<<"$spec"
    if is_running "$name"; then
      say "$name already running"
      continue
    fi
    say "starting $name"
    start_daemon "$name" node "$entry"
  done
  for spec in "${SERVICES[@]}"; do
    IFS=: read -r name entry var default <<<"$spec"
    port="$(service_port "$var" "$default")"
    wait_until "$name" 120 curl -fsS "http://127.0.0.1:$port/readyz"
  done
}

services_down() {
  local i spec name
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    spec="${SERVICES[$i]}"
    name="${spec%%:*}"
    stop_daemon "$name"
  done
}

infra_down() {
  local i
  for ((i = ${#SERVERS[@]} - 1; i >= 0; i--)); do bash "$ROOT/deploy/local/${SERVERS[$i]}.sh" stop; done
  # A cluster left from a run before FERRETDB_HANDLER=sqlite (a no-op when none runs).
  bash "$ROOT/deploy/local/postgres.sh" stop
}

print_urls() {
  cat <<URLS

Woop support portal is running.
  The portal (log in here)    http://127.0.0.1:${GATEWAY_PORT:-3000}
  Agent console               http://127.0.0.1:${GATEWAY_PORT:-3000}/agent
  API and its docs            http://127.0.0.1:${GATEWAY_PORT:-3000}/api/v1/docs (OpenAPI: /api/v1/openapi.json)
  Temporal Web UI             http://127.0.0.1:${TEMPORAL_UI_PORT:-8233}
  Mail catcher (MailDev)      http://127.0.0.1:${MAILCATCHER_WEB_PORT:-1080}
  Support mailbox (IMAP)      127.0.0.1:${IMAP_PORT:-1143}, support@woop.example / woop-local-imap-password
  Traces (Zipkin)             http://127.0.0.1:${ZIPKIN_PORT:-9411}/zipkin/
  Logs                        $LOG_DIR
Demo accounts (password Woop-demo-2026!, local only): claire@enseigne.example (customer,
organisation admin), hugo@enseigne.example, ines@transports.example, paul@woop.example
(agent, support), sarah@woop.example (agent, security), dora@woop.example (agent, dpo),
admin@woop.example (admin).
Stop everything with: npm stop

URLS
}

case "${1:-up}" in
  up)
    ensure_prerequisites
    prefetch_servers
    ensure_node_modules
    build
    await_prefetch
    infra_up
    run_long "seeding demo organisations and users" node services/identity/dist/seed.js
    services_up
    print_urls
    ;;
  infra)
    ensure_prerequisites
    prefetch_servers
    ensure_node_modules
    build
    await_prefetch
    infra_up
    ;;
  down)
    services_down
    infra_down
    ;;
  status)
    # 0: everything runs; 1: something DIED or is NOT ANSWERING (said on its line); 3: something
    # is only stopped (never started, or stopped cleanly).
    rc=0
    note() { if (($1 == 1 || $1 == 2)); then rc=1; elif (($1 == 3 && rc == 0)); then rc=3; fi; }
    for s in "${SERVERS[@]}"; do
      code=0
      bash "$ROOT/deploy/local/$s.sh" status || code=$?
      note "$code"
    done
    for spec in "${SERVICES[@]}"; do
      IFS=: read -r name entry var default <<<"$spec"
      code=0
      daemon_status "$name" curl -fsS --max-time 5 "http://127.0.0.1:$(service_port "$var" "$default")/healthz" || code=$?
      note "$code"
    done
    ((rc != 1)) || echo "Something died or does not answer: see its log above; \`npm start\` starts what is missing." >&2
    exit $rc
    ;;
  *) die "usage: $0 up|infra|down|status" ;;
esac
