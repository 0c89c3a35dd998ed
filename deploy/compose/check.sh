#!/usr/bin/env bash
# `npm run compose:check`: validates docker-compose.yml with docker-compose (no Docker engine
# needed). The stack has no default secret: the check first proves that compose refuses to run
# without each of them, naming it, then validates the file with random values made for this
# check alone (never written anywhere).
set -euo pipefail
cd "$(dirname "$0")/../.."

SECRETS=(INTERNAL_AUTH_SECRET LINK_SEALING_KEY TEMPORAL_DB_PASSWORD TEMPORAL_PAYLOAD_KEYS MAIL_REPLY_KEY IMAP_PASSWORD)

random_hex() {
  if command -v openssl >/dev/null; then openssl rand -hex "$1"; else
    node -e "process.stdout.write(require('node:crypto').randomBytes($1).toString('hex'))"
  fi
}

for name in "${SECRETS[@]}"; do
  if out="$(
    for other in "${SECRETS[@]}"; do export "$other=$(random_hex 32)"; done
    unset "$name"
    docker-compose -f docker-compose.yml config -q 2>&1
  )"; then
    echo "docker-compose.yml runs without $name: every secret must be required (\${$name:?...})" >&2
    exit 1
  elif ! grep -q "$name" <<<"$out"; then
    echo "docker-compose.yml refused to run without $name but did not name it:" >&2
    echo "$out" >&2
    exit 1
  fi
done

for name in "${SECRETS[@]}"; do export "$name=$(random_hex 32)"; done
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid, and requires ${SECRETS[*]}"
