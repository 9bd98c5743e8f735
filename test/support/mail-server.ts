/**
 * A real Dovecot (IMAP + LMTP) and Postfix (SMTP) on loopback for one test file, from our own config in a
 * temporary directory (test/support/mail/start-mail.sh), on free ports, without systemd. Needs Debian's
 * `dovecot-imapd dovecot-lmtpd postfix` (`.ci/run` installs them) and root. Users bot@ and alice@ the
 * domain, password `secret`. Also: sending with nodemailer and reading a mailbox over IMAP.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { findFreePort } from '../../storage/free-port.js';

const run = promisify(execFile);
const scripts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'mail');
export const MAIL_DOMAIN = 'example.test';
export const MAIL_PASSWORD = 'secret';

/** Why the mail peers cannot run here, or null when they can. */
export function mailServerUnavailable(): string | null {
  const missing = ['/usr/sbin/dovecot', '/usr/sbin/postfix', '/usr/lib/dovecot/lmtp'].filter(
    (file) => !existsSync(file),
  );
  if (missing.length > 0) {
    return `not installed: ${missing.join(', ')} (apt-get install dovecot-imapd dovecot-lmtpd postfix; .ci/run does)`;
  }
  if (process.getuid?.() !== 0) return 'the test mail server must be started as root';
  return null;
}

export interface MailServer {
  dir: string;
  imapPort: number;
  smtpPort: number;
  lmtpPort: number;
  imapUrl(user: string): string;
  smtpUrl(): string;
  send(message: Mail.Options): Promise<void>;
  /** Every message in the user's INBOX, parsed, in UID order. */
  read(user: string): Promise<Array<{ uid: number; flags: string[]; mail: ParsedMail }>>;
  /** Waits until `check` holds for the user's INBOX. */
  waitFor(
    user: string,
    check: (messages: ParsedMail[]) => boolean,
    timeoutMs?: number,
  ): Promise<ParsedMail[]>;
  /** Pids of Dovecot's `imap` processes (one per logged-in connection). */
  imapProcesses(): Promise<number[]>;
  stopDovecot(): Promise<void>;
  startDovecot(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMailServer(): Promise<MailServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-mail-'));
  const [imapPort, smtpPort, lmtpPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const env = {
    ...process.env,
    MAIL_DIR: dir,
    IMAP_PORT: String(imapPort),
    SMTP_PORT: String(smtpPort),
    LMTP_PORT: String(lmtpPort),
    MAIL_DOMAIN,
    MAIL_PASS: MAIL_PASSWORD,
  };
  const script = (name: string) => run('bash', [path.join(scripts, name)], { env, timeout: 60_000 });
  await script('start-mail.sh');
  const address = (user: string) => `${user}@${MAIL_DOMAIN}`;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false });
  const read: MailServer['read'] = async (user) => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      auth: { user: address(user), pass: MAIL_PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      const opened = await client.mailboxOpen('INBOX', { readOnly: true });
      if (opened.exists === 0) return [];
      const messages: Array<{ uid: number; flags: string[]; mail: ParsedMail }> = [];
      for await (const message of client.fetch('1:*', { uid: true, flags: true, source: true })) {
        if (message.source) {
          messages.push({
            uid: message.uid,
            flags: [...(message.flags ?? [])],
            mail: await simpleParser(message.source),
          });
        }
      }
      return messages;
    } finally {
      await client.logout().catch(() => undefined);
    }
  };
  return {
    dir,
    imapPort,
    smtpPort,
    lmtpPort,
    imapUrl: (user) => `imap://${encodeURIComponent(address(user))}:${MAIL_PASSWORD}@127.0.0.1:${imapPort}`,
    smtpUrl: () => `smtp://127.0.0.1:${smtpPort}`,
    async send(message) {
      await transport.sendMail(message);
    },
    read,
    async waitFor(user, check, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const messages = (await read(user)).map((entry) => entry.mail);
        if (check(messages)) return messages;
        if (Date.now() > until) {
          throw new Error(`mailbox of ${user} never matched; it holds ${messages.length} message(s)`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async imapProcesses() {
      const { stdout } = await run(
        'bash',
        ['-c', 'ps -o pid=,args= --ppid "$(cat "$MAIL_DIR/run/master.pid")"'],
        {
          env,
        },
      );
      return stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter(([, name]) => name === 'dovecot/imap')
        .map(([pid]) => Number(pid));
    },
    async stopDovecot() {
      await run('bash', [path.join(scripts, 'stop-mail.sh')], { env: { ...env, MAIL_STOP: 'dovecot' } });
    },
    async startDovecot() {
      await run(
        'bash',
        ['-c', 'dovecot -c "$MAIL_DIR/dovecot.conf" </dev/null >>"$MAIL_DIR/daemons.out" 2>&1'],
        { env },
      );
    },
    async stop() {
      transport.close();
      await script('stop-mail.sh');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
