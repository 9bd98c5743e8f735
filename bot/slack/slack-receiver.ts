/**
 * The HTTP receiver for Bolt, mounted on the Olympus express app at POST /slack/events. Per request:
 * verify the signature and timestamp (both directions), validate the payload, store it in the inbox under
 * its natural key, and only then hand it to Bolt, whose listeners ack at once and work afterwards.
 * A repeated key (Slack retries, double deliveries) is acked and dropped.
 */
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { crashPoint } from '../../common/crash-point.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { InboundRecorder } from '../../handlers/inbox/inbound-recorder.js';
import { inboxPayload, parseSlackRequest, requestFromInbox, type StoredRequest } from './payloads.js';
import { verifySlackRequest } from './request-verification.js';
import type { WorkspaceScreen } from './workspace-gate.js';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Name under which listeners find the validated request in Bolt's context. */
export const REQUEST_PROPERTY = 'olympusRequest';
/** Name under which listeners find the request's inbox entry (`InboundDelivery`) in Bolt's context. */
export const DELIVERY_PROPERTY = 'olympusDelivery';

/** What a listener may say about the inbox entry of the request it handles. */
export interface InboundDelivery {
  /** The entry's key (the request's natural key). */
  readonly key: string;
  /**
   * The handler the listener gave the request to has settled the entry itself (a deferred intake turn,
   * marked failed for its redrive): the receiver leaves it as it is instead of marking it done.
   */
  settledByHandler(): void;
}
/** A stored request that failed this often is left for an operator. */
const MAX_REPLAY_ATTEMPTS = 5;
/** How long Slack waits for an ack before it retries a delivery. */
const SLACK_ACK_DEADLINE_MS = 3000;

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  /** Stores each request before its ack and replays what a crash left (handlers/inbox). */
  inbound: InboundRecorder;
  logger: Logger;
  /** Accepted inbound events and the time to ack them (inbox write included). */
  metrics?: SurfaceMetrics;
  /** Answers and drops requests from outside our workspaces before the inbox (workspace-gate.ts). */
  screen?: WorkspaceScreen;
}

export interface SurfaceMetrics {
  inboundMessages: { inc(labels: { surface: string }): void };
  ackLatency: { observe(labels: { surface: string }, seconds: number): void };
}

export class SlackHttpReceiver implements Receiver {
  private bolt: App | null = null;
  private running = false;
  /** Attempts that began before this receiver existed belong to a process that is gone. */
  private readonly createdAt = Date.now();

  constructor(private readonly options: SlackHttpReceiverOptions) {}

  init(app: App): void {
    this.bolt = app;
  }

  /** Called by Bolt's `app.start()`: from now on requests reach the app. */
  start(): Promise<void> {
    this.running = true;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.running = false;
    return Promise.resolve();
  }

  /**
   * Processes what an earlier run stored but did not finish (a crash after the ack, a failed attempt).
   * Acks go nowhere: Slack was answered long ago. Returns how many entries were replayed.
   */
  async replayUnfinished(limit = 100): Promise<number> {
    const { inbound, logger } = this.options;
    const bolt = this.bolt;
    if (bolt === null) return 0;
    // A `processing` entry is replayed only if its attempt began before this process: a crash left it.
    return inbound.replayUnfinished(
      { surface: 'slack', since: this.createdAt, maxAttempts: MAX_REPLAY_ATTEMPTS, limit },
      (entry) => requestFromInbox(entry.key, entry.payload),
      async (request, entry) => {
        logger.info('replaying unfinished slack request', { key: entry.key, attempt: entry.attempts });
        await this.process(bolt, request, () => Promise.resolve(), 0, undefined);
      },
    );
  }

  /** The express handlers for SLACK_EVENTS_PATH (raw body first: the signature covers the exact bytes). */
  handlers(): RequestHandler[] {
    return [
      express.raw({ type: () => true, limit: '1mb' }),
      (req, res, next) => {
        this.handle(req, res).catch(next);
      },
    ];
  }

  private async handle(req: Request, res: Response): Promise<void> {
    const { logger } = this.options;
    const received = performance.now();
    const bolt = this.bolt;
    if (bolt === null || !this.running) {
      res.status(503).json({ error: 'not_ready', message: 'The Slack surface is not running.' });
      return;
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const verified = verifySlackRequest(
      { rawBody, timestamp: req.get('x-slack-request-timestamp'), signature: req.get('x-slack-signature') },
      this.options.signingSecret,
    );
    if (!verified.ok) {
      logger.warn('slack request refused', { reason: verified.reason });
      res
        .status(401)
        .json({ error: 'invalid_request', message: `Slack request refused: ${verified.reason}` });
      return;
    }
    const parsed = parseSlackRequest(rawBody, req.get('content-type') ?? '');
    if (!parsed.ok) {
      logger.warn('slack request malformed', { reason: parsed.reason });
      res.status(400).json({ error: 'malformed_payload', message: parsed.reason });
      return;
    }
    const request = parsed.request;
    if (request.kind === 'url_verification') {
      res.json({ challenge: request.challenge });
      return;
    }
    if (request.kind === 'ssl_check') {
      res.status(200).end();
      return;
    }
    const retryNum = Number(req.get('x-slack-retry-num') ?? '0') || 0;
    const respond = (response?: unknown): Promise<void> => {
      if (response === undefined || response === '') res.status(200).end();
      else if (typeof response === 'string') res.status(200).type('text/plain').send(response);
      else res.status(200).json(response);
      return Promise.resolve();
    };
    await this.accept(request, respond, { retryNum, retryReason: req.get('x-slack-retry-reason'), received });
  }

  /**
   * Takes a verified request from any transport (HTTP, Socket Mode): stores it in the inbox (claimed in
   * the same statement), drops a repeat with an empty ack, and runs Bolt's listeners, which ack at once.
   * `respond` sends the ack; it is called exactly once.
   */
  async accept(
    request: StoredRequest,
    respond: (response?: unknown) => Promise<void>,
    delivery: { retryNum: number; retryReason?: string | undefined; received: number },
  ): Promise<void> {
    const { logger, inbound } = this.options;
    const bolt = this.bolt;
    if (bolt === null || !this.running) {
      await respond();
      return;
    }
    if (await this.options.screen?.(request, respond)) return;
    // Slack retries only what was not acked within its 3 s: a retry whose entry is still `processing`
    // after that long belongs to an attempt that died before its ack, and is taken over.
    const reclaim = delivery.retryNum > 0 ? { reclaimAfterMs: SLACK_ACK_DEADLINE_MS } : {};
    // Stored and claimed in one statement; a repeat key is claimed only if an earlier attempt failed.
    if (!(await inbound.receive(request.key, 'slack', inboxPayload(request), reclaim))) {
      logger.debug('repeat slack delivery dropped', { key: request.key, retryNum: delivery.retryNum });
      await respond();
      return;
    }
    this.options.metrics?.inboundMessages.inc({ surface: 'slack' });
    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      const seconds = (performance.now() - delivery.received) / 1000;
      this.options.metrics?.ackLatency.observe({ surface: 'slack' }, seconds);
      crashPoint('slack.before_ack');
      await respond(response);
    };
    // An Events API ack carries nothing: once the event is stored it is answered at once, without waiting
    // for Bolt's middleware to reach its own ack. Interactions and commands wait: their ack has content.
    if (request.kind === 'event') await ack();
    try {
      await this.process(bolt, request, ack, delivery.retryNum, delivery.retryReason);
    } finally {
      if (!acked) await ack();
    }
  }

  /** Runs Bolt's listeners for a claimed inbox entry and records the outcome on it. */
  private async process(
    bolt: App,
    request: StoredRequest,
    ack: (response?: unknown) => Promise<void>,
    retryNum: number,
    retryReason: string | undefined,
  ): Promise<void> {
    const { logger, inbound } = this.options;
    let settled = false;
    const entry: InboundDelivery = {
      key: request.key,
      settledByHandler: () => {
        settled = true;
      },
    };
    const event: ReceiverEvent = {
      body: request.body,
      ack,
      retryNum,
      ...(retryReason ? { retryReason } : {}),
      customProperties: { [REQUEST_PROPERTY]: request, [DELIVERY_PROPERTY]: entry },
    };
    try {
      await bolt.processEvent(event);
      if (!settled) await inbound.done(request.key);
    } catch (error) {
      logger.error('slack request processing failed', { key: request.key, error: errorMessage(error) });
      await inbound.failed(request.key, errorMessage(error));
    }
  }
}
