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
  if [[ ! -f "$HOME_DIR/.complete" ]]; then
    command -v mvn >/dev/null || die "Maven is needed to fetch the Temporal test server"
    mkdir -p "$HOME_DIR"
    cat >"$HOME_DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.woop</groupId><artifactId>temporal-test-server</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>2.0.17</version></dependency>
  </dependencies>
</project>
POM
    run_long "fetching Temporal test server $VERSION with Maven" \
      mvn -B -q -f "$HOME_DIR/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DoutputDirectory="$HOME_DIR/lib" -DincludeScope=runtime
    touch "$HOME_DIR/.complete"
  fi
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
