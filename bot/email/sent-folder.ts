/**
 * The account's Sent mailbox as the record of what was really sent: every outgoing mail is appended there
 * after SMTP accepted it, and a retry whose earlier attempt's outcome is unknown looks for its fixed
 * Message-ID there before sending again. One short IMAP connection per call (mail is rare enough).
 */
import { ImapFlow } from 'imapflow';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { ImapConnection } from './email-settings.js';

export interface SentFolder {
  /** True when a mail with this Message-ID is in the Sent mailbox. */
  has(messageId: string): Promise<boolean>;
  /** Appends a copy of a sent mail; failures are logged, never thrown (the mail is out already). */
  keep(raw: Buffer): Promise<void>;
}

export function createSentFolder(connection: ImapConnection, logger: Logger): SentFolder {
  async function withSent<T>(work: (client: ImapFlow, path: string) => Promise<T>, none: T): Promise<T> {
    const client = new ImapFlow({
      host: connection.host,
      port: connection.port,
      secure: connection.secure,
      auth: { user: connection.user, pass: connection.pass },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', (error: unknown) => logger.debug('imap (sent) error', { error: errorMessage(error) }));
    await client.connect();
    try {
      const mailboxes = await client.list();
      const sent = mailboxes.find((mailbox) => mailbox.specialUse === '\\Sent');
      return sent ? await work(client, sent.path) : none;
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
  return {
    has: (messageId) =>
      withSent(async (client, path) => {
        const opened = await client.mailboxOpen(path, { readOnly: true });
        if (opened.exists === 0) return false;
        const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
        return Array.isArray(found) && found.length > 0;
      }, false),
    async keep(raw) {
      try {
        await withSent(async (client, path) => {
          await client.append(path, raw, ['\\Seen']);
        }, undefined);
      } catch (error) {
        logger.warn('could not keep a copy of a sent mail', { error: errorMessage(error) });
      }
    },
  };
}
