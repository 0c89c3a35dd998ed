#!/usr/bin/env bash
# PostgreSQL, FerretDB's storage: a private cluster in $WOOP_DATA_DIR/postgres, on loopback
# TCP only (no Unix socket), on a port of its own (5433), started with pg_ctl: never the
# machine's system service. Debian's `postgresql` package is installed when missing.
# PostgreSQL refuses to run as root: as root, the cluster runs as an unprivileged user
# (POSTGRES_OS_USER, `postgres` by default, created when missing) who owns its files.
source "$(dirname "$0")/lib.sh"

HOST="${POSTGRES_HOST:-127.0.0.1}"
PORT="${POSTGRES_PORT:-5433}"
PG_ROLE=ferretdb
PG_DATABASE=ferretdb
OS_USER="${POSTGRES_OS_USER:-postgres}"
# The superuser's password, generated at initdb, readable by whoever runs the stack only.
PASSWORD_FILE="$DATA_DIR/postgres/password"
# The cluster and its server log, which its owner must reach: under the data dir, unless that
# is out of the owner's reach (a checkout under /root): then in /var/tmp, one per data dir.
PG_HOME="$DATA_DIR/postgres"
VAR_HOME="/var/tmp/woop-postgres-$(printf '%s' "$DATA_DIR" | sha256sum | cut -c1-12)"
# A cluster already made stays where it is: the data dir's rights may change after it was made
# (imap.sh opens it to Dovecot's users), and a stop must find the running cluster again.
if [[ -f "$VAR_HOME/cluster/PG_VERSION" && ! -f "$PG_HOME/cluster/PG_VERSION" ]]; then
  PG_HOME="$VAR_HOME"
elif [[ ! -f "$PG_HOME/cluster/PG_VERSION" ]] && ((EUID == 0)) && id -u "$OS_USER" >/dev/null 2>&1 &&
  ! runuser -u "$OS_USER" -- test -x "$DATA_DIR"; then
  PG_HOME="$VAR_HOME"
fi
PGDATA="$PG_HOME/cluster"
SERVER_LOG="$PG_HOME/server.log"

# The server binaries: POSTGRES_BIN_DIR, else Debian's /usr/lib/postgresql/N/bin (the existing
# cluster's version N when installed, else the newest), else pg_ctl on the PATH.
bin_dir() {
  if [[ -n "${POSTGRES_BIN_DIR:-}" ]]; then
    echo "$POSTGRES_BIN_DIR"
    return
  fi
  local d=""
  [[ ! -f "$PGDATA/PG_VERSION" ]] || d="/usr/lib/postgresql/$(cat "$PGDATA/PG_VERSION")/bin"
  [[ -x "$d/pg_ctl" ]] || d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$d" && -x "$d/pg_ctl" ]]; then
    echo "$d"
  elif command -v pg_ctl >/dev/null; then
    dirname "$(command -v pg_ctl)"
  fi
}

# as_owner CMD...: runs CMD as the cluster's owner (runuser from root, else as oneself).
AS_OWNER=()
if ((EUID == 0)); then AS_OWNER=(runuser -u "$OS_USER" --); fi
as_owner() { "${AS_OWNER[@]}" "$@"; }

install() {
  local bin
  bin="$(bin_dir)"
  if [[ -z "$bin" || ! -x "$bin/pg_ctl" ]]; then
    [[ -z "${POSTGRES_BIN_DIR:-}" ]] || die "POSTGRES_BIN_DIR=$POSTGRES_BIN_DIR has no pg_ctl"
    command -v apt-get >/dev/null && ((EUID == 0)) ||
      die "PostgreSQL's server is needed (Debian: apt-get install postgresql), or FERRETDB_HANDLER=sqlite"
    run_long "installing PostgreSQL (apt-get install postgresql)" env DEBIAN_FRONTEND=noninteractive \
      bash -c "apt-get update -qq && apt-get install -y -qq postgresql </dev/null"
    bin="$(bin_dir)"
    [[ -n "$bin" && -x "$bin/pg_ctl" ]] || die "apt-get installed postgresql, yet no pg_ctl was found"
  fi
  if ((EUID == 0)) && ! id -u "$OS_USER" >/dev/null 2>&1; then
    say "creating the system user $OS_USER for PostgreSQL (it refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER"
  fi
}

pg() { "$(bin_dir)/$1" "${@:2}"; }

healthy() { pg pg_isready -q -h "$HOST" -p "$PORT" -d "$PG_DATABASE" -U "$PG_ROLE" -t 2; }

init_cluster() {
  local major
  major="$(pg postgres --version | sed -n 's/.* \([0-9][0-9]*\)\.[0-9.]*.*/\1/p')"
  if [[ -f "$PGDATA/PG_VERSION" && ! -f "$PASSWORD_FILE" ]]; then
    # The data dir was emptied (rm -rf .data) but the cluster lives in /var/tmp: start afresh.
    say "no password for the cluster in $PGDATA any more: making a new one (the old data is dropped)"
    stop
    rm -rf "$PGDATA"
  fi
  if [[ -f "$PGDATA/PG_VERSION" ]]; then
    [[ "$(cat "$PGDATA/PG_VERSION")" == "$major" ]] ||
      die "$PGDATA was made by PostgreSQL $(cat "$PGDATA/PG_VERSION"), the binaries are $major: remove $PG_HOME to start fresh (its data is lost), or set POSTGRES_BIN_DIR"
    return 0
  fi
  say "creating a PostgreSQL $major cluster in $PGDATA (owner: $(as_owner id -un))"
  rm -rf "$PGDATA"
  mkdir -p "$PG_HOME" "$PGDATA" "$(dirname "$PASSWORD_FILE")"
  chmod 755 "$PG_HOME"
  chmod 700 "$PGDATA"
  if ((EUID == 0)); then chown "$OS_USER:" "$PGDATA"; fi
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$PASSWORD_FILE")
  # initdb reads the password from a file its owner can read: a copy, removed at once.
  local pwfile
  pwfile="$(as_owner mktemp)"
  as_owner tee "$pwfile" <"$PASSWORD_FILE" >/dev/null
  as_owner "$(bin_dir)/initdb" -D "$PGDATA" -U "$PG_ROLE" --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=reject --encoding=UTF8 --locale=C.UTF-8 \
    >>"$LOG_DIR/postgres-initdb.log" 2>&1 || {
    as_owner rm -f "$pwfile"
    tail -n 20 "$LOG_DIR/postgres-initdb.log" >&2
    die "initdb failed (log: $LOG_DIR/postgres-initdb.log)"
  }
  as_owner rm -f "$pwfile"
  echo "include_if_exists = 'woop.conf'" | as_owner tee -a "$PGDATA/postgresql.conf" >/dev/null
}

# Rewritten at each start, so a changed POSTGRES_PORT or POSTGRES_HOST applies.
write_config() {
  as_owner tee "$PGDATA/woop.conf" >/dev/null <<CONF
# Written by deploy/local/postgres.sh at each start; edits are lost.
listen_addresses = '$HOST'
port = $PORT
# No Unix socket: loopback TCP with a password only (and no path-length limit on the data dir).
unix_socket_directories = ''
# A development database: losing the last few hundred milliseconds of commits in a crash is
# acceptable (never corruption), and it makes every write much cheaper.
synchronous_commit = off
max_connections = 200
shared_buffers = 128MB
logging_collector = off
log_min_messages = warning
CONF
}

start() {
  init_cluster
  write_config
  # pg_ctl -l appends to the log as the cluster's owner; the logs folder shows it by a link.
  touch "$SERVER_LOG"
  if ((EUID == 0)); then chown "$OS_USER:" "$SERVER_LOG"; fi
  ln -sfn "$SERVER_LOG" "$LOG_DIR/postgres.log"
  say "starting PostgreSQL on $HOST:$PORT (cluster $PGDATA)"
  # setsid: the server leaves this shell's session (a test runner's Ctrl-C does not reach it).
  setsid -w "${AS_OWNER[@]}" "$(bin_dir)/pg_ctl" -D "$PGDATA" -l "$SERVER_LOG" -w -t 60 -s start \
    </dev/null || {
      tail -n 30 "$SERVER_LOG" >&2
      die "PostgreSQL did not start (log: $SERVER_LOG)"
    }
  head -n 1 "$PGDATA/postmaster.pid" >"$(pid_file postgres)"
  wait_until postgres 30 healthy
  # The database FerretDB keeps its collections in (one schema per MongoDB database).
  local exists
  exists="$(PGPASSWORD="$(cat "$PASSWORD_FILE")" pg psql -h "$HOST" -p "$PORT" -U "$PG_ROLE" -d postgres -tAq \
    -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")"
  if [[ "$exists" != 1 ]]; then
    PGPASSWORD="$(cat "$PASSWORD_FILE")" pg createdb -h "$HOST" -p "$PORT" -U "$PG_ROLE" "$PG_DATABASE"
  fi
}

stop() {
  if [[ -f "$PGDATA/postmaster.pid" ]] && kill -0 "$(head -n 1 "$PGDATA/postmaster.pid")" 2>/dev/null; then
    say "stopping postgres (pid $(head -n 1 "$PGDATA/postmaster.pid"))"
    # Fast shutdown: clients are disconnected, every committed transaction is kept.
    as_owner "$(bin_dir)/pg_ctl" -D "$PGDATA" -m fast -w -t 60 -s stop ||
      die "PostgreSQL did not stop (log: $SERVER_LOG)"
  fi
  rm -f "$(pid_file postgres)"
}

case "${1:-start}" in
  # FerretDB's URL: the password inside, so only for a process's environment, never argv or logs.
  url)
    [[ -f "$PASSWORD_FILE" ]] || die "no PostgreSQL cluster for $DATA_DIR yet (start it first)"
    echo "postgres://$PG_ROLE:$(cat "$PASSWORD_FILE")@$HOST:$PORT/$PG_DATABASE?sslmode=disable"
    ;;
  *) dispatch postgres "${1:-start}" ;;
esac
