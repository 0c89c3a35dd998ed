#!/usr/bin/env bash
# MailDev: an SMTP catcher with a web UI and a REST API (npm package, a devDependency).
source "$(dirname "$0")/lib.sh"

HOST="${MAILCATCHER_HOST:-127.0.0.1}"
SMTP_PORT="${MAILCATCHER_SMTP_PORT:-1025}"
WEB_PORT="${MAILCATCHER_WEB_PORT:-1080}"
MAILDEV="$ROOT/node_modules/maildev/dist/bin/maildev.js"

install() {
  [[ -f "$MAILDEV" ]] || (cd "$ROOT" && run_long "installing npm dependencies" npm ci)
}

healthy() { curl -fsS "http://$HOST:$WEB_PORT/api/healthz" >/dev/null 2>&1 && port_open "$HOST" "$SMTP_PORT"; }

start() {
  mkdir -p "$DATA_DIR/maildev"
  say "starting MailDev: SMTP $HOST:$SMTP_PORT, web UI http://$HOST:$WEB_PORT, API /api/email"
  start_daemon mailcatcher node "$MAILDEV" --ip "$HOST" --smtp "$SMTP_PORT" \
    --web-ip "$HOST" --web "$WEB_PORT" --mail-directory "$DATA_DIR/maildev" --max-emails 5000
  wait_until mailcatcher 30 healthy
}

dispatch mailcatcher "${1:-start}"
