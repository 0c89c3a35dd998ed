#!/usr/bin/env bash
# Temporal's time-skipping test server (Java, from Maven Central), for SLA tests that need days
# of business time to pass in seconds. `install` fetches it and writes the launcher that
# TestWorkflowEnvironment.createTimeSkipping runs: .cache/bin/temporal-test-server.
source "$(dirname "$0")/lib.sh"

VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.31.0}"
HOME_DIR="$CACHE_DIR/temporal-test-server-$VERSION"
LAUNCHER="$BIN_DIR/temporal-test-server"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

install() {
  maven_fetch "$HOME_DIR" "Temporal test server $VERSION" \
    "io.temporal:temporal-test-server:$VERSION" "org.slf4j:slf4j-simple:2.0.17"
  # exec, so the SDK that started the launcher can stop the JVM itself.
  cat >"$LAUNCHER" <<SH
#!/usr/bin/env bash
exec "$JAVA" -Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \\
  -cp "$HOME_DIR/lib/*" io.temporal.testserver.TestServer "\$@"
SH
  chmod +x "$LAUNCHER"
}

case "${1:-install}" in
  install) install ;;
  path) echo "$LAUNCHER" ;;
  *) die "usage: $0 install|path" ;;
esac
