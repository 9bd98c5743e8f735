#!/usr/bin/env bash
# Loopback-only Dovecot (IMAP + LMTP) and Postfix (SMTP) for the email tests, from our own config under
# MAIL_DIR, without systemd and without touching /etc/postfix/main.cf (Postfix runs with `-c MAIL_DIR/postfix`).
# SMTP 127.0.0.1:SMTP_PORT (postfix) -> LMTP 127.0.0.1:LMTP_PORT (dovecot) -> Maildir; IMAP 127.0.0.1:IMAP_PORT.
# Plaintext on loopback (no TLS). Users (password MAIL_PASS) for MAIL_USERS @ MAIL_DOMAIN; plus-addresses
# (user+detail@) are delivered to the user. Mail to other domains is refused.
# Daemons' output goes to MAIL_DIR/*.log and MAIL_DIR/daemons.out; pids are in MAIL_DIR/run/master.pid
# (dovecot) and MAIL_DIR/spool/pid/master.pid (postfix).
set -euo pipefail
: "${MAIL_DIR:?}" "${IMAP_PORT:?}" "${SMTP_PORT:?}" "${LMTP_PORT:?}"
DOMAIN=${MAIL_DOMAIN:-example.test}
USERS=${MAIL_USERS:-"bot alice"}
PASS=${MAIL_PASS:-secret}

getent group vmail >/dev/null || groupadd --system vmail
id vmail >/dev/null 2>&1 || useradd --system -g vmail -d /nonexistent -s /usr/sbin/nologin vmail

mkdir -p "$MAIL_DIR"/{run,state,vmail,postfix,spool,data}
chmod 755 "$MAIL_DIR"
chown vmail:vmail "$MAIL_DIR/vmail"
chown postfix:postfix "$MAIL_DIR/data"

: >"$MAIL_DIR/users"
for u in $USERS; do echo "$u@$DOMAIN:{PLAIN}$PASS::::::" >>"$MAIL_DIR/users"; done

cat >"$MAIL_DIR/dovecot.conf" <<EOF
base_dir = $MAIL_DIR/run/
state_dir = $MAIL_DIR/state
log_path = $MAIL_DIR/dovecot.log
info_log_path = $MAIL_DIR/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$MAIL_DIR/vmail/%d/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = 100
recipient_delimiter = +
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $MAIL_DIR/users
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$MAIL_DIR/vmail/%d/%n
}
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  unix_listener auth-client {
    mode = 0666
  }
}
EOF

PF="$MAIL_DIR/postfix"
cp /etc/postfix/master.cf "$PF/master.cf"
cat >"$PF/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $MAIL_DIR/spool
data_directory = $MAIL_DIR/data
myhostname = localhost
myorigin = localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
default_transport = error:external delivery disabled in tests
relay_transport = error:external delivery disabled in tests
alias_maps =
alias_database =
recipient_delimiter = +
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = static:OK
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
lmtp_host_lookup = native
smtp_host_lookup = native
message_size_limit = 104857600
maillog_file_prefixes = /var, /dev/stdout, $MAIL_DIR
maillog_file = $MAIL_DIR/postfix.log
smtpd_banner = \$myhostname ESMTP test
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
EOF
sed -i -E "s/^smtp([[:space:]]+inet[[:space:]])/127.0.0.1:$SMTP_PORT\1/" "$PF/master.cf"
postconf -c "$PF" -F '*/*/chroot = n'
grep -q '^postlog ' "$PF/master.cf" ||
  echo "postlog   unix-dgram n  -       n       -       1       postlogd" >>"$PF/master.cf"

dovecot -c "$MAIL_DIR/dovecot.conf" </dev/null >>"$MAIL_DIR/daemons.out" 2>&1
postfix -c "$PF" start </dev/null >>"$MAIL_DIR/daemons.out" 2>&1

for p in $IMAP_PORT $LMTP_PORT $SMTP_PORT; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
  (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || {
    echo "port $p did not open; see $MAIL_DIR/*.log and $MAIL_DIR/daemons.out" >&2
    exit 1
  }
done
echo "mail up: smtp=$SMTP_PORT imap=$IMAP_PORT lmtp=$LMTP_PORT"
