#!/usr/bin/env bash
# Apache Kafka 4.x, one KRaft node (broker + controller), from the release jars on Maven Central.
source "$(dirname "$0")/lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION="2.25.3"

KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
HOST="${KAFKA_HOST:-127.0.0.1}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DATA="$DATA_DIR/kafka"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

install() {
  # The release tarball's logging jars are not dependencies in the POM: log4j is added, and
  # slf4j-api 2.x pinned, or a transitive 1.7 wins and silences the broker's logs.
  maven_fetch "$KAFKA_HOME" "Kafka $KAFKA_VERSION jars" \
    "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" \
    "org.apache.kafka:kafka-tools:$KAFKA_VERSION" \
    "org.slf4j:slf4j-api:2.0.17" \
    "org.apache.logging.log4j:log4j-core:$LOG4J_VERSION" \
    "org.apache.logging.log4j:log4j-slf4j2-impl:$LOG4J_VERSION"
}

write_config() {
  mkdir -p "$KAFKA_DATA/logs"
  cat >"$KAFKA_DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA/logs
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
group.initial.rebalance.delay.ms=0
# Topics are created by the project (npm run topics) with their documented partition counts.
auto.create.topics.enable=false
PROPS
  cat >"$KAFKA_DATA/log4j2.properties" <<'L4J'
rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
L4J
}

healthy() {
  port_open "$HOST" "$PORT" && grep -q "Kafka Server started" "$LOG_DIR/kafka.log"
}

start() {
  write_config
  if [[ ! -f "$KAFKA_DATA/logs/meta.properties" ]]; then
    local cluster_id
    cluster_id="$("$JAVA" -cp "$KAFKA_HOME/lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    say "formatting Kafka storage (cluster $cluster_id)"
    "$JAVA" -cp "$KAFKA_HOME/lib/*" -Dlog4j2.configurationFile="$KAFKA_DATA/log4j2.properties" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DATA/server.properties" >>"$LOG_DIR/kafka.log" 2>&1
  fi
  : >"$LOG_DIR/kafka.log"
  say "starting Kafka $KAFKA_VERSION on $HOST:$PORT"
  start_daemon kafka "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_DATA/log4j2.properties" \
    -cp "$KAFKA_HOME/lib/*" kafka.Kafka "$KAFKA_DATA/server.properties"
  wait_until kafka 90 healthy
}

dispatch kafka "${1:-start}"
