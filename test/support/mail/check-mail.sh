#!/usr/bin/env bash
# Preflight for CI: starts the test mail peers once (Dovecot IMAP/LMTP, Postfix SMTP) with the same
# script the email tests use, checks that they answer, and stops them. Fails early, with the logs, when
# the Debian packages are missing or cannot run here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
MAIL_DIR="$(mktemp -d /tmp/olympus-mail-check-XXXXXX)"
read -r IMAP_PORT SMTP_PORT LMTP_PORT < <(node -e '
  const net = require("node:net");
  const one = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
  Promise.all([one(), one(), one()]).then((ports) => console.log(ports.join(" ")));
')
export MAIL_DIR IMAP_PORT SMTP_PORT LMTP_PORT
cleanup() { bash "$here/stop-mail.sh" || true; rm -rf "$MAIL_DIR"; }
trap cleanup EXIT
if ! bash "$here/start-mail.sh"; then
  tail -n 20 "$MAIL_DIR"/*.log "$MAIL_DIR/daemons.out" 2>/dev/null || true
  exit 1
fi
exec 3<>"/dev/tcp/127.0.0.1/$IMAP_PORT"
read -r -t 5 banner <&3
case "$banner" in
  *OK*) echo "IMAP answers: ${banner:0:40}" ;;
  *) echo "IMAP did not greet: $banner" >&2; exit 1 ;;
esac
exec 3<&-
exec 4<>"/dev/tcp/127.0.0.1/$SMTP_PORT"
read -r -t 5 greeting <&4
case "$greeting" in
  220*) echo "SMTP answers: ${greeting:0:40}" ;;
  *) echo "SMTP did not greet: $greeting" >&2; exit 1 ;;
esac
exec 4<&-
