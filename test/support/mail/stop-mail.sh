#!/usr/bin/env bash
# Stops the test mail daemons of MAIL_DIR by their pid files (never by name). Dovecot's children (imap, lmtp…)
# are stopped too, so no connection outlives its server. MAIL_STOP=dovecot stops Dovecot only.
: "${MAIL_DIR:?}"
stop_dovecot() {
  [ -f "$MAIL_DIR/run/master.pid" ] || return 0
  local master children
  master=$(cat "$MAIL_DIR/run/master.pid")
  kill -0 "$master" 2>/dev/null || return 0
  children=$(ps -o pid= --ppid "$master" 2>/dev/null || true)
  kill "$master" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
  for pid in $children; do kill "$pid" 2>/dev/null || true; done
}
stop_dovecot
if [ "${MAIL_STOP:-all}" = all ] && [ -f "$MAIL_DIR/postfix/main.cf" ]; then
  postfix -c "$MAIL_DIR/postfix" stop </dev/null >>"$MAIL_DIR/daemons.out" 2>&1 || true
fi
exit 0
