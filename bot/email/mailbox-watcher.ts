/**
 * Keeps one IMAP connection on the watched mailbox: IDLE for new mail (auto-IDLE after a short delay), a
 * catch-up pass over every mail not yet flagged as handled after each (re)connect and each new-mail
 * notice, reconnection with backoff when the connection closes, and a watchdog (NOOP with a deadline)
 * that closes a connection whose IDLE died silently, so it is reconnected.
 */
import { ImapFlow } from 'imapflow';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { ImapConnection } from './email-settings.js';
import { HANDLED_KEYWORD } from './mail-processor.js';

export interface WatcherTimings {
  /** Delay before IDLE starts after the last command. */
  idleDelayMs: number;
  /** How often the watchdog checks the connection (NOOP). */
  watchdogMs: number;
  /** How long a NOOP may take before the connection counts as dead. */
  watchdogTimeoutMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_TIMINGS: WatcherTimings = {
  idleDelayMs: 100,
  watchdogMs: 60_000,
  watchdogTimeoutMs: 15_000,
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 60_000,
};

const STOP_GRACE_MS = 10_000;

export interface WatcherOptions {
  connection: ImapConnection;
  mailbox: string;
  timings: WatcherTimings;
  logger: Logger;
  /** Handles one unflagged mail; errors are logged and the mail is tried again on the next pass. */
  /** Resolves false when the mail must be tried again on a later pass. */
  handle(client: ImapFlow, uidValidity: bigint, uid: number): Promise<boolean>;
}

export class MailboxWatcher {
  /** The connection being set up or in use. */
  private current: ImapFlow | null = null;
  /** The connection with the mailbox open, ready for passes. */
  private client: ImapFlow | null = null;
  private stopped = true;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private pass: Promise<void> = Promise.resolve();
  private passPending = false;
  private passQueued = false;
  /** A mail failed or was busy in the last pass: the watchdog asks for another one. */
  private retryNeeded = false;

  constructor(private readonly options: WatcherOptions) {}

  /** Connects (or keeps retrying in the background) and runs the first catch-up pass. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.connect();
    this.watchdogTimer = setInterval(() => void this.watchdog(), this.options.timings.watchdogMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.reconnectTimer = null;
    this.watchdogTimer = null;
    // A pass stuck on a dead connection must not hold the stop: close the connection after a while.
    const stuck = this.current;
    await withDeadline(this.pass, STOP_GRACE_MS).catch(() => stuck?.close());
    await this.pass;
    const client = this.current;
    this.current = null;
    this.client = null;
    if (client?.usable) {
      await withDeadline(client.logout(), 5_000).catch(() => client.close());
    } else {
      client?.close();
    }
  }

  /** Resolves when every catch-up pass asked for so far has finished (tests). */
  async idle(): Promise<void> {
    while (this.passPending) await this.pass;
  }

  private async connect(): Promise<void> {
    const { connection, timings, logger, mailbox } = this.options;
    const client = new ImapFlow({
      host: connection.host,
      port: connection.port,
      secure: connection.secure,
      auth: { user: connection.user, pass: connection.pass },
      logger: false,
      autoIdleDelay: timings.idleDelayMs,
      maxIdleTime: Math.max(timings.watchdogMs, 60_000),
    });
    client.on('error', (error: unknown) => logger.warn('imap error', { error: errorMessage(error) }));
    client.on('exists', () => this.requestPass());
    this.current = client;
    client.on('close', () => this.closed(client));
    try {
      await client.connect();
      const opened = await client.mailboxOpen(mailbox);
      if (this.stopped) {
        await client.logout();
        return;
      }
      this.client = client;
      this.failures = 0;
      logger.info('imap connected', {
        mailbox,
        uidValidity: String(opened.uidValidity),
        exists: opened.exists,
      });
      this.requestPass();
    } catch (error) {
      logger.error('imap connection failed', { error: errorMessage(error), attempt: this.failures + 1 });
      this.closed(client);
      client.close();
    }
  }

  /** A connection ended (or never came up): the current one is reconnected, stale ones are ignored. */
  private closed(client: ImapFlow): void {
    if (this.current !== client) return;
    this.current = null;
    if (this.client === client) this.client = null;
    if (!this.stopped) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.stopped) return;
    const { reconnectInitialMs, reconnectMaxMs } = this.options.timings;
    const delay = Math.min(reconnectMaxMs, reconnectInitialMs * 2 ** Math.min(this.failures, 16));
    this.failures += 1;
    this.options.logger.info('imap reconnecting', { inMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) void this.connect();
    }, delay);
  }

  /** Runs a catch-up pass now, or once more after the running one. */
  private requestPass(): void {
    if (this.passPending) {
      this.passQueued = true;
      return;
    }
    this.passPending = true;
    this.pass = this.catchUp().finally(() => {
      this.passPending = false;
      if (this.passQueued && !this.stopped) {
        this.passQueued = false;
        this.requestPass();
      }
    });
  }

  private async catchUp(): Promise<void> {
    const client = this.client;
    if (!client?.usable || client.mailbox === false) return;
    const { logger } = this.options;
    try {
      const uidValidity = client.mailbox.uidValidity;
      const found = await client.search({ unKeyword: HANDLED_KEYWORD }, { uid: true });
      const uids = (found === false || found === undefined ? [] : found).sort((a, b) => a - b);
      for (const uid of uids) {
        if (this.stopped || this.client !== client) return;
        try {
          if (!(await this.options.handle(client, uidValidity, uid))) this.retryNeeded = true;
        } catch (error) {
          this.retryNeeded = true;
          logger.error('mail could not be handled; it is tried again on the next pass', {
            uid,
            error: errorMessage(error),
          });
        }
      }
    } catch (error) {
      logger.warn('imap catch-up failed', { error: errorMessage(error) });
    }
  }

  private async watchdog(): Promise<void> {
    const client = this.client;
    if (this.stopped || !client || this.passPending) return;
    if (this.retryNeeded) {
      this.retryNeeded = false;
      this.requestPass();
      return;
    }
    try {
      await withDeadline(client.noop(), this.options.timings.watchdogTimeoutMs);
    } catch (error) {
      this.options.logger.warn('imap connection unresponsive: reconnecting', { error: errorMessage(error) });
      client.close();
    }
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
