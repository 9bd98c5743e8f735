/**
 * What the email e2e files share: a real mail server and store, the email surface on top with the guided
 * intake, and helpers to mail the bot as alice and to read the replies.
 */
import { describe } from '@jest/globals';
import { ImapFlow } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import { GuidedIntakeBrain } from '../../../agents/hermes/guided-intake.js';
import { createEmailSurface, type EmailSurface } from '../../../bot/email/email-surface.js';
import type { EmailSettings } from '../../../bot/email/email-settings.js';
import { createSilentLogger } from '../../../common/logging/logger.js';
import { ClientMessageHandler } from '../../../handlers/intake/handle-client-message.js';
import { surfaceUseCases } from '../../../handlers/surface-use-cases.js';
import type { Store } from '../../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../embedded-store.js';
import { MAIL_PASSWORD, mailServerUnavailable, startMailServer, type MailServer } from '../mail-server.js';

export const BOT = 'bot@example.test';
export const ALICE = 'alice@example.test';
export const AUTHSERV = 'mx.example.test';
export const PASS_HEADER = { 'Authentication-Results': `${AUTHSERV}; dmarc=pass header.from=example.test` };

/** `describe` when Dovecot and Postfix can run here; else `describe.skip`, said loudly (and an error in CI). */
export function describeWithMail(): typeof describe | typeof describe.skip {
  const unavailable = mailServerUnavailable();
  if (unavailable === null) return describe;
  if (process.env.CI) throw new Error(`the email e2e tests cannot run in CI: ${unavailable}`);
  process.stderr.write(`\n*** SKIPPING the email e2e tests: ${unavailable} ***\n\n`);
  return describe.skip;
}

let counter = 0;
export function messageId(label: string): string {
  counter += 1;
  return `<${label}.${counter}.${Date.now()}@example.test>`;
}

export const repliesTo = (id: string) => (messages: ParsedMail[]) =>
  messages.filter((mail) => mail.inReplyTo === id);

export interface Exchange {
  id: string;
  subject: string;
  text: string;
  to?: string;
  headers?: Record<string, string>;
  references?: string[];
}

export interface EmailHarness {
  mail: MailServer;
  store: Store;
  /** The embedded PostgreSQL's URL (for tests that count rows). */
  connectionString: string;
  settings: EmailSettings;
  surface: EmailSurface;
  /** A new surface on the same mailbox and store (as a restarted process has). */
  newSurface(): EmailSurface;
  /** Sends as alice and waits for the reply in her mailbox. */
  exchange(options: Exchange): Promise<ParsedMail>;
  /** Where the bot's INBOX message with this UID is, under the current UIDVALIDITY. */
  uidKey(uid: number): Promise<string>;
  /** The inbox key of a mail the bot received: its account and Message-ID. */
  inboxKey(messageId: string): string;
  teardown(): Promise<void>;
}

export interface EmailHarnessOptions {
  /** Told the id of every project a confirmed brief creates (digests, planning). */
  onHandOff?: (projectId: string) => Promise<void>;
  /** Overrides of the surface's settings (e.g. sender verification). */
  settings?: Partial<EmailSettings>;
}

export async function startEmailHarness(options: EmailHarnessOptions = {}): Promise<EmailHarness> {
  const [mail, embedded]: [MailServer, EmbeddedStore] = await Promise.all([
    startMailServer(),
    startEmbeddedStore(),
  ]);
  const store = embedded.store;
  const settings: EmailSettings = {
    address: BOT,
    imapUrl: mail.imapUrl('bot'),
    smtpUrl: mail.smtpUrl(),
    authservId: AUTHSERV,
    maxBytes: 200_000,
    repliesPerHour: 100,
    ...options.settings,
  };
  const newSurface = () =>
    createEmailSurface({
      settings,
      useCases: surfaceUseCases({ store }),
      intake: new ClientMessageHandler({
        store,
        brain: new GuidedIntakeBrain(),
        logger: createSilentLogger(),
        ...(options.onHandOff ? { onHandOff: options.onHandOff } : {}),
      }),
      logger: createSilentLogger(),
      timings: { watchdogMs: 1_000, watchdogTimeoutMs: 2_000, reconnectInitialMs: 100, reconnectMaxMs: 500 },
    });
  const harness: EmailHarness = {
    mail,
    store,
    connectionString: embedded.connectionString,
    settings,
    surface: newSurface(),
    newSurface,
    async exchange(options) {
      await mail.send({
        from: `Alice <${ALICE}>`,
        to: options.to ?? BOT,
        subject: options.subject,
        text: options.text,
        messageId: options.id,
        headers: options.headers ?? PASS_HEADER,
        ...(options.references
          ? { references: options.references, inReplyTo: options.references.at(-1) }
          : {}),
      });
      const messages = await mail.waitFor('alice', (all) => repliesTo(options.id)(all).length > 0);
      return repliesTo(options.id)(messages)[0]!;
    },
    async uidKey(uid) {
      const imap = new ImapFlow({
        host: '127.0.0.1',
        port: mail.imapPort,
        secure: false,
        auth: { user: BOT, pass: MAIL_PASSWORD },
        logger: false,
      });
      await imap.connect();
      const opened = await imap.mailboxOpen('INBOX', { readOnly: true });
      await imap.logout();
      return `email:${BOT}:INBOX:${opened.uidValidity}:${uid}`;
    },
    inboxKey: (id) => `email:${BOT}:message:${id}`,
    async teardown() {
      await harness.surface.stop();
      await Promise.all([mail.stop(), embedded.teardown()]);
    },
  };
  await harness.surface.start();
  return harness;
}
