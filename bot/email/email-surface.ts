/**
 * The email surface: clients mail the project address (or a project's plus-address); Hermes answers in
 * the same thread. Creating it only validates settings (no I/O); `start()` opens the SMTP transport and
 * the IMAP watcher (which catches up on everything not yet handled); `stop()` closes both.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { SurfaceUseCases } from '../../handlers/surface-use-cases.js';
import type { ChatTransport } from '../../ports/chat-transport.js';
import { imapConnection, type EmailSettings } from './email-settings.js';
import { emailTransport } from './email-transport.js';
import {
  processMessage,
  type EmailIntake,
  type EmailUseCases,
  type ProcessorContext,
} from './mail-processor.js';
import { DEFAULT_TIMINGS, MailboxWatcher, type WatcherTimings } from './mailbox-watcher.js';
import { sendMailOnce } from './outgoing-mail.js';
import { createSentFolder } from './sent-folder.js';
import { sendThreadNotice, type ThreadNotice } from './thread-notice.js';
import { emailNotifier } from './email-notifier.js';
import type { SurfaceNotifier } from '../../ports/surface-notifier.js';

export type { EmailSettings } from './email-settings.js';
export type { EmailIntake, EmailUseCases } from './mail-processor.js';
export type { ThreadNotice } from './thread-notice.js';

export interface EmailSurfaceOptions {
  settings: EmailSettings;
  /** The inbox, the outbox, threads, identities and the reply budget (handlers/surface-use-cases.ts). */
  useCases: EmailUseCases & Pick<SurfaceUseCases, 'replyBudget'>;
  /** Where client mail goes (the ClientMessageHandler). */
  intake: EmailIntake;
  logger: Logger;
  /** Mailbox to watch (default INBOX). */
  mailbox?: string;
  /** Reconnect, IDLE and watchdog timings (tests shorten them). */
  timings?: Partial<WatcherTimings>;
}

export interface EmailSurface {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Mails Hermes's words into an email conversation's thread (digests, notices), once per effect id.
   * Resolves the Message-ID, or null when the conversation is not an email one. Needs a started surface.
   */
  notify(notice: ThreadNotice): Promise<string | null>;
  /** This surface as a notice deliverer (registered with the notifier registry). */
  readonly notifier: SurfaceNotifier;
  /** The chat transport while started (null before). */
  transport(): ChatTransport | null;
  /** Resolves when the mail known so far has been handled (tests). */
  settled(): Promise<void>;
}

export function createEmailSurface(options: EmailSurfaceOptions): EmailSurface {
  const { settings, useCases, intake } = options;
  const logger = options.logger.child({ component: 'email' });
  const connection = imapConnection(settings.imapUrl);
  const mailbox = options.mailbox ?? 'INBOX';
  const timings: WatcherTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  let smtpTransport: Transporter | null = null;
  let transport: ChatTransport | null = null;
  let watcher: MailboxWatcher | null = null;
  let send: ProcessorContext['send'] | null = null;

  const surface: EmailSurface = {
    async start() {
      if (watcher) return;
      if (settings.authservId === null) {
        logger.warn(
          'sender authentication is off: set OLYMPUS_EMAIL_AUTHSERV_ID to trust only your server’s Authentication-Results',
        );
      }
      const smtp = nodemailer.createTransport(settings.smtpUrl);
      smtpTransport = smtp;
      const sentFolder = createSentFolder(connection, logger);
      const mailer = emailTransport({ smtp, address: settings.address, sentFolder });
      transport = mailer;
      send = (mail) =>
        sendMailOnce({ outbox: useCases.outbox, transport: mailer, address: settings.address }, mail);
      const context: ProcessorContext = {
        useCases,
        intake,
        settings,
        account: connection.user.toLowerCase(),
        mailbox,
        limiter: useCases.replyBudget(settings.repliesPerHour),
        send,
        logger,
      };
      watcher = new MailboxWatcher({
        connection,
        mailbox,
        timings,
        logger,
        handle: (client, uidValidity, uid) => processMessage(context, client, uidValidity, uid),
      });
      await watcher.start();
      logger.info('email surface started', { address: settings.address, mailbox });
    },
    async stop() {
      const running = watcher;
      watcher = null;
      send = null;
      transport = null;
      await running?.stop();
      smtpTransport?.close();
      smtpTransport = null;
    },
    async notify(notice) {
      if (send === null) {
        throw new OlympusError('SURFACE_UNAVAILABLE', 'the email surface is not started', {
          retryable: true,
        });
      }
      return sendThreadNotice(
        { threads: useCases.threads, identities: useCases.identities, address: settings.address, send },
        notice,
      );
    },
    async settled() {
      await watcher?.idle();
    },
    get notifier() {
      return notifier;
    },
    transport: () => transport,
  };
  const notifier = emailNotifier(
    useCases.threads,
    (notice) => surface.notify(notice),
    (to, message) => {
      if (send === null) {
        throw new OlympusError('SURFACE_UNAVAILABLE', 'the email surface is not started', {
          retryable: true,
        });
      }
      return send({
        effectId: `email.direct:${message.effectId}`,
        kind: 'email.direct',
        to,
        subject: message.subject,
        text: message.text,
        inReplyTo: null,
        references: [],
        replyTo: null,
      });
    },
  );
  return surface;
}
