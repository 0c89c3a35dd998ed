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

# Bounded: a JVM thrashing in garbage collection must not hang `npm run status`.
healthy() { curl -fsS --max-time 5 "http://$HOST:$PORT/health" >/dev/null 2>&1; }

start() {
  say "starting Zipkin $ZIPKIN_VERSION on http://$HOST:$PORT/zipkin/ (spans in memory, at most ${ZIPKIN_MAX_SPANS:-50000})"
  # Zipkin reads its settings from the environment: storage set here, so a stray STORAGE_TYPE
  # of the caller's cannot move it. MEM_MAX_SPANS bounds the in-memory store (the oldest traces
  # are dropped first) and must fit the heap: this project's spans hold ~4.5 KB each in it
  # (100,000 of them: 479 MB live after a full GC; test/drills/zipkin-soak.test.ts makes them),
  # so 50,000 spans take ~250 MB of the 512 MB heap, the rest being Zipkin itself (~30 MB) and
  # the collector's garbage under load. 50,000 spans are ~1,500 requests (~32 spans each) or
  # ~100 minutes of an idle stack (~470 a minute). 100,000 spans in 256 MB died of
  # OutOfMemoryError 12 minutes into a guide walk and a fuzz run (issue 23). An
  # OutOfMemoryError ends the JVM at once (`npm run status` then says it DIED) instead of leaving
  # it half alive. Only the HTTP collector runs (the others start only with a broker address).
  # armeria.ports keeps it on loopback.
  start_daemon zipkin env STORAGE_TYPE=mem MEM_MAX_SPANS="${ZIPKIN_MAX_SPANS:-50000}" \
    QUERY_PORT="$PORT" SELF_TRACING_ENABLED=false \
    "$JAVA" -Xms64m -Xmx"${ZIPKIN_HEAP:-512m}" -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true \
    -jar "$ZIPKIN_HOME/lib/zipkin-server-$ZIPKIN_VERSION-exec.jar" \
    "--armeria.ports[0].ip=$HOST" "--armeria.ports[0].port=$PORT" "--armeria.ports[0].protocols=http"
  wait_until zipkin 90 healthy
}

dispatch zipkin "${1:-start}"
