#!/usr/bin/env bash
# The support mailbox: Debian's Dovecot (dovecot-imapd), run with a private configuration under
# $DATA_DIR/dovecot (no system service, nothing written under /etc), plain IMAP on loopback.
# One user, support@woop.example, a maildir with INBOX, Processed, Refused and Held.
# Restarts keep the mail (the maildir stays under .data; `rm -rf .data` forgets it).
source "$(dirname "$0")/lib.sh"

HOST="${IMAP_BIND_HOST:-127.0.0.1}"
PORT="${IMAP_PORT:-1143}"
MAILBOX_USER="${IMAP_USER:-support@woop.example}"
# The local mailbox's password (a development default, like the demo accounts' one); the
# inbound service uses the same default. Production reads a real mailbox with its own.
MAILBOX_PASSWORD="${IMAP_PASSWORD:-woop-local-imap-password}"
DOVECOT_DIR="$DATA_DIR/dovecot"
CONF="$DOVECOT_DIR/dovecot.conf"

install() {
  command -v dovecot >/dev/null && [[ -x /usr/lib/dovecot/imap ]] && return 0
  command -v apt-get >/dev/null || die "Dovecot's IMAP server is needed (Debian: dovecot-imapd)"
  # The package's own service is left to the system (in a container policy-rc.d keeps it from
  # starting); this script never uses it: it runs a private instance on its own port.
  # The package lists are refreshed first: on a machine whose lists are old, the version they
  # name may be gone from the archive.
  run_long "installing dovecot-imapd (apt-get)" env DEBIAN_FRONTEND=noninteractive \
    bash -c "apt-get update -qq && apt-get install -y -q -o DPkg::Lock::Timeout=300 dovecot-imapd </dev/null"
  command -v dovecot >/dev/null || die "apt-get installed dovecot-imapd, yet dovecot is missing"
}

# Dovecot's master runs as whoever starts it. As root, its helpers drop to the users the package
# created (dovecot, dovenull) and the mail belongs to Debian's `mail` user (Dovecot never
# gives root mail access); as anyone else, everything runs as that user.
write_config() {
  local internal_user internal_group login_user mail_user mail_group home
  if (($(id -u) == 0)); then
    internal_user=dovecot internal_group=dovecot login_user=dovenull mail_user=mail mail_group=mail
  else
    internal_user="$(id -un)" internal_group="$(id -gn)"
    login_user="$internal_user" mail_user="$internal_user" mail_group="$internal_group"
  fi
  home="$DOVECOT_DIR/home/$MAILBOX_USER"
  mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$home"
  # Dovecot's helpers (auth as $internal_user, imap as $mail_user) reach into .data.
  chmod o+x "$DATA_DIR" "$DOVECOT_DIR" "$DOVECOT_DIR/home"
  chown "$mail_user:$mail_group" "$home"
  local passwd="$DOVECOT_DIR/passwd"
  # user:password:uid:gid:(gecos):home:(shell); uid and gid are mail_uid/mail_gid below.
  (
    umask 027
    printf '%s:{PLAIN}%s::::%s::\n' "$MAILBOX_USER" "$MAILBOX_PASSWORD" "$home" >"$passwd.tmp"
  )
  chgrp "$internal_group" "$passwd.tmp"
  mv "$passwd.tmp" "$passwd"
  cat >"$CONF" <<CONF
# Written by deploy/local/imap.sh on every start: edit the script, not this file.
# The local support mailbox (Dovecot $(dovecot --version | cut -d' ' -f1)), private to this checkout.
instance_name = woop-imap-$PORT
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = /dev/stderr
info_log_path = /dev/stderr
protocols = imap
listen = $HOST
default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user
mail_uid = $mail_user
mail_gid = $mail_group
first_valid_uid = $(id -u "$mail_user")
first_valid_gid = $(getent group "$mail_group" | cut -d: -f3)
# No TLS locally; plain-text login is still refused on anything but a loopback connection
# (Dovecot counts those as secured).
ssl = no
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = $passwd
}
userdb {
  driver = passwd-file
  args = $passwd
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Processed {
    auto = subscribe
  }
  mailbox Refused {
    auto = subscribe
  }
  mailbox Held {
    auto = subscribe
  }
}
# The reader idles on INBOX; Dovecot checks the maildir for new mail this often while it does.
imap_idle_notify_interval = 30 secs
mail_max_userip_connections = 50
service imap-login {
  inet_listener imap {
    address = $HOST
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    user = $internal_user
  }
  unix_listener stats-writer {
    user = $internal_user
  }
}
CONF
  doveconf -c "$CONF" -n >/dev/null || die "Dovecot refuses $CONF (doveconf -c $CONF -n says why)"
}

# Answers with Dovecot's greeting (a port left open by something else does not count).
healthy() {
  local line
  exec 3<>"/dev/tcp/$HOST/$PORT" || return 1
  IFS= read -r -t 3 line <&3 || {
    exec 3<&-
    return 1
  }
  exec 3<&-
  [[ "$line" == "* OK"* ]]
}

start() {
  write_config
  say "starting Dovecot: IMAP $HOST:$PORT, mailbox $MAILBOX_USER (maildir under $DOVECOT_DIR/home)"
  start_daemon imap dovecot -F -c "$CONF"
  wait_until imap 30 healthy
}

dispatch imap "${1:-start}"
