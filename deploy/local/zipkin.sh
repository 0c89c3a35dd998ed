#!/usr/bin/env bash
# Zipkin, the local trace viewer: one executable jar from Maven Central (its web UI inside),
# spans kept in memory (a restart forgets them). The services export to /api/v2/spans.
source "$(dirname "$0")/lib.sh"

ZIPKIN_VERSION="${ZIPKIN_VERSION:-3.5.1}"
ZIPKIN_HOME="$CACHE_DIR/zipkin-$ZIPKIN_VERSION"
HOST="${ZIPKIN_HOST:-127.0.0.1}"
PORT="${ZIPKIN_PORT:-9411}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

install() {
  maven_fetch "$ZIPKIN_HOME" "Zipkin server $ZIPKIN_VERSION" "io.zipkin:zipkin-server:$ZIPKIN_VERSION:exec"
}

healthy() { curl -fsS "http://$HOST:$PORT/health" >/dev/null 2>&1; }

start() {
  say "starting Zipkin $ZIPKIN_VERSION on http://$HOST:$PORT/zipkin/ (spans in memory)"
  # Zipkin reads its settings from the environment: storage set here, so a stray STORAGE_TYPE
  # of the caller's cannot move it. MEM_MAX_SPANS bounds the in-memory store so it fits the
  # small heap (the oldest traces are dropped first). Only the HTTP collector runs (the others
  # start only with a broker address). armeria.ports keeps it on loopback.
  start_daemon zipkin env STORAGE_TYPE=mem MEM_MAX_SPANS="${ZIPKIN_MAX_SPANS:-100000}" \
    QUERY_PORT="$PORT" SELF_TRACING_ENABLED=false \
    "$JAVA" -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -jar "$ZIPKIN_HOME/lib/zipkin-server-$ZIPKIN_VERSION-exec.jar" \
    "--armeria.ports[0].ip=$HOST" "--armeria.ports[0].port=$PORT" "--armeria.ports[0].protocols=http"
  wait_until zipkin 90 healthy
}

dispatch zipkin "${1:-start}"
